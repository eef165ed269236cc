import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRunArgs, runCommand } from "../src/run/run-command.js";
import { UNSAFE_MODES } from "../src/run/unsafe.js";
import { loadScenarios } from "../src/scenarios/library.js";
import { runScenario } from "../src/scenarios/run-scenario.js";
import { scenarioCommand } from "../src/scenarios/scenario-command.js";

// zkts's unsafe modes are deliberate bugs: this proves the lab catches each one on real
// processes, through the scenario that says it does (`catches`), and that nobody runs one by
// accident. The seed is printed; LAB_SEED=N reruns with it.
const seed = Number(process.env.LAB_SEED ?? 1 + Math.floor(Math.random() * 100_000));

/** What each mode's violation looks like in the checker's verdict. */
const VIOLATION: Record<(typeof UNSAFE_MODES)[number], RegExp> = {
  "commit-without-quorum": /acknowledged adds lost/,
  "ack-before-fsync": /acknowledged adds lost/,
  "unconfirmed-reads": /not linearizable at op \d+ \(process \d+ read/,
  "never-expire": /ephemeral of session 0x[0-9a-f]+, which died \d+ ms before the final read/,
};

describe("without ZKTS_UNSAFE=1, --unsafe is refused with status 3", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.ZKTS_UNSAFE;
    delete process.env.ZKTS_UNSAFE;
  });
  afterEach(() => {
    if (saved !== undefined) process.env.ZKTS_UNSAFE = saved;
  });

  it("zkts-lab run and zkts-lab scenario", async () => {
    expect(() => parseRunArgs(["--unsafe", "never-expire"])).toThrow(
      "--unsafe never-expire runs a deliberately broken zkts; refused without ZKTS_UNSAFE=1 in the environment",
    );
    expect(await runCommand(["--unsafe", "never-expire", "--time", "1s"])).toBe(3);
    expect(await scenarioCommand(["unsafe-never-expire", "--target", "zkts", "--unsafe", "never-expire"])).toBe(3);
  });

  it("and with it, on a target other than zkts or for a mode that does not exist", async () => {
    process.env.ZKTS_UNSAFE = "1";
    expect(() => parseRunArgs(["--target", "zookeeper", "--unsafe", "never-expire"])).toThrow("unsafe modes are zkts's, not zookeeper's");
    expect(() => parseRunArgs(["--unsafe", "lose-everything"])).toThrow(/--unsafe takes commit-without-quorum, /);
    const options = parseRunArgs(["--unsafe", "ack-before-fsync", "--seed", "7"]);
    expect(options).toMatchObject({ config: { "zkts.unsafe": "ack-before-fsync" }, env: { ZKTS_UNSAFE: "1" } });
  });
});

describe(`every unsafe mode is caught on real processes (seed ${seed})`, () => {
  const scenarios = loadScenarios();
  for (const mode of UNSAFE_MODES) {
    it(mode, async () => {
      const scenario = scenarios.find((s) => s.catches?.includes(mode));
      expect(scenario, `a scenario of lab/scenarios/ catches ${mode}`).toBeDefined();
      const lines: string[] = [];
      const outcome = await runScenario(
        scenario!,
        { target: "zkts", driver: "processes", seed, out: mkdtempSync(join(tmpdir(), `zkts-lab-${mode}-`)), unsafe: mode },
        (line) => lines.push(line),
      );
      process.stdout.write(`${lines.filter((l) => !/^ {2}\d+ s: /.test(l)).join("\n")}\n`);
      expect(outcome.run.verdict, `${scenario!.name} --unsafe ${mode}, seed ${seed}`).toBe("invalid");
      expect(outcome.asExpected).toBe(true);
      expect(outcome.run.check.problems.join("\n")).toMatch(VIOLATION[mode]);
    });
  }
});
