import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDockerEngine } from "../src/containers/docker-engine.js";
import { ensureLabImages } from "../src/containers/images.js";
import { OWNER_LABEL, dockerode, ownerOfThisProcess } from "../src/containers/run-resources.js";
import { runScenario } from "../src/scenarios/run-scenario.js";
import type { Scenario } from "../src/scenarios/scenario.js";
import { labSeed as seed } from "./run-support.js";

/**
 * Membership changes on the containers driver: members named in their server lines, each in
 * a pod whose forwarders lead every name to the member's own proxies (container-peers.ts).
 * A fixed schedule rather than the random nemesis, so that the reconfigs asserted on are ones
 * that can commit: a follower cut off and removed while cut off, killed and started again
 * outside the configuration (ZooKeeper comes back as a joiner), then added back as an
 * observer, which the heal must turn into a voter again. Docker must run here: when it
 * cannot, these tests fail with the reason rather than skip.
 */
const SCENARIO: Scenario = {
  name: "containers-reconfig",
  summary: "a follower removed while cut off, killed and restarted outside the configuration, added back as an observer; the heal makes it a voter",
  references: [],
  nodes: 3,
  workload: "set",
  clients: 6,
  rate: 60,
  timeMs: 5000,
  steps: [
    { at: 300, do: "partition", groups: [["follower2"], ["rest"]] },
    { at: 700, do: "reconfig", remove: ["follower2"] },
    { at: 1400, do: "heal" },
    { at: 1800, do: "kill", members: ["follower2"] },
    { at: 2600, do: "start", members: ["follower2"] },
    { at: 4000, do: "reconfig", observe: ["follower2"] },
  ],
  expect: {
    zookeeper: { reads: "sync", verdict: "valid", why: "no acknowledged add is lost across the configurations" },
    zkts: { reads: "linearizable", verdict: "valid", why: "no acknowledged add is lost across the configurations" },
  },
};

beforeAll(async () => {
  await ensureDockerEngine();
  await ensureLabImages();
}, 300_000);

/** Containers and networks this process made that are still there. */
async function leftovers(): Promise<{ containers: number; networks: number }> {
  const engine = await dockerode();
  const owned = { label: [`${OWNER_LABEL}=${ownerOfThisProcess()}`] };
  return {
    containers: (await engine.listContainers({ all: true, filters: owned })).length,
    networks: (await engine.listNetworks({ filters: owned })).length,
  };
}

describe(`reconfigs on the containers driver (seed ${seed})`, () => {
  for (const target of ["zkts", "zookeeper"] as const) {
    it(`${target}: the reconfigs commit, the heal restores the configuration, valid, nothing left behind`, async () => {
      const lines: string[] = [];
      const out = mkdtempSync(join(tmpdir(), `zkts-lab-containers-reconfig-${target}-`));
      const { run } = await runScenario(SCENARIO, { target, driver: "containers", seed, out }, (line) => lines.push(line));
      process.stdout.write(`${lines.filter((l) => !l.includes("ops/s")).join("\n")}\n`);
      expect(run.check.problems).toEqual([]);
      expect(run.verdict).toBe("valid");
      expect(run.crashes).toEqual([]);
      const reconfigs = run.schedule.filter((s) => s.action.do === "reconfig");
      expect(reconfigs.every((s) => s.outcome !== undefined)).toBe(true);
      // The removal while the follower is cut off needs only the leader and the other follower.
      expect(reconfigs[0]!.outcome).toMatchObject({ result: "ok", detail: expect.stringMatching(/^voters \d,\d \(/) });
      expect(run.membership?.reconfigs.ok).toBeGreaterThanOrEqual(1);
      expect(run.membership?.restored).toBe(true);
      expect(run.membership?.final).toMatch(/^voters 1,2,3 \(version /);
      expect(run.membership?.final).not.toBe(run.membership?.original);
      // schedule.json keeps each reconfig's outcome.
      const written = JSON.parse(readFileSync(join(out, "schedule.json"), "utf8")) as { action: { do: string }; outcome?: { result: string } }[];
      expect(written.filter((s) => s.action.do === "reconfig").map((s) => s.outcome?.result)).toEqual(reconfigs.map((s) => s.outcome!.result));
      // Each member's zoo.cfg and the dynamic file it names are kept beside its log.
      for (const id of [1, 2, 3]) {
        const conf = join(out, "logs", `zk${id}-conf`);
        const dynamicFile = /^dynamicConfigFile=(.+)$/m.exec(readFileSync(join(conf, "zoo.cfg"), "utf8"))?.[1]?.trim();
        expect(dynamicFile, `zk${id}'s zoo.cfg`).toBeDefined();
        expect(readFileSync(join(conf, basename(dynamicFile!)), "utf8")).toMatch(/^server\.\d+=/m);
      }
      expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
    }, 150_000);
  }
});
