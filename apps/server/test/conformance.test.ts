import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllowedDifference, compareTranscripts } from "./conformance/compare.js";
import { Recorder } from "./conformance/recorder.js";
import { nullScenarios } from "./conformance/null-scenarios.js";
import { SUPER_DIGEST, scenarios as plainScenarios } from "./conformance/scenarios.js";

/**
 * The differential conformance suite: every scenario runs against the reference Apache
 * ZooKeeper 3.8 and against zkts, and the normalised transcripts must be identical except
 * for the differences listed, with a reason, in allowed-differences.json.
 */
const here = dirname(fileURLToPath(import.meta.url));
const allowed = JSON.parse(readFileSync(join(here, "conformance/allowed-differences.json"), "utf8")) as AllowedDifference[];
const transcriptDir = join(here, "conformance/.transcripts");
const scenarios = [...plainScenarios, ...nullScenarios];

const config = {
  extendedTypesEnabled: "true",
  "DigestAuthenticationProvider.superDigest": SUPER_DIGEST,
  "znode.container.checkIntervalMs": "3600000",
  maxClientCnxns: "200",
};

let reference: RunningServer;
let zkts: RunningServer;

beforeAll(async () => {
  [reference, zkts] = await Promise.all([startReferenceZooKeeper({ tickTime: 500, config }), startZkts({ tickTime: 500, config })]);
  mkdirSync(transcriptDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await Promise.all([reference?.cleanup(), zkts?.cleanup()]);
});

async function transcriptOf(server: RunningServer, index: number, name: string): Promise<unknown[]> {
  const recorder = new Recorder(server.port);
  await recorder.begin();
  try {
    await scenarios[index]!.run(recorder, `/conf-${name}`);
  } finally {
    await recorder.finish();
  }
  return recorder.transcript;
}

describe("conformance with Apache ZooKeeper 3.8", () => {
  scenarios.forEach((scenario, index) => {
    it(
      scenario.name,
      async () => {
        const [expected, actual] = await Promise.all([transcriptOf(reference, index, scenario.name), transcriptOf(zkts, index, scenario.name)]);
        writeFileSync(join(transcriptDir, `${scenario.name}.json`), JSON.stringify({ reference: expected, zkts: actual }, null, 1));
        const differences = compareTranscripts(scenario.name, expected, actual, allowed);
        expect(differences, `transcripts differ; see ${transcriptDir}/${scenario.name}.json`).toEqual([]);
        expect(expected.length).toBeGreaterThan(3);
      },
      60_000,
    );
  });
});
