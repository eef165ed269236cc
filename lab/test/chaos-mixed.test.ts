import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allZkts, memberKind, parseTarget } from "../src/cluster/cluster.js";
import { parseRunArgs, UsageError } from "../src/run/run-command.js";
import { labSeed as seed, shortRun as run } from "./run-support.js";

describe("the mixed target", () => {
  it("names each member's server in id order, K zkts and Z ZooKeeper, and defaults to sync reads", () => {
    expect([1, 2, 3].map((id) => memberKind("mixed:ZZK", id))).toEqual(["zookeeper", "zookeeper", "zkts"]);
    expect(memberKind("mixed:KZ", 5)).toBe("zookeeper");
    expect(allZkts("mixed:KKK", 3)).toBe(true);
    expect(allZkts("mixed:KKZ", 3)).toBe(false);
    expect(parseTarget("mixed:ZXK")).toBeNull();
    expect(parseTarget("mixed:")).toBeNull();
    expect(parseRunArgs(["--target", "mixed:ZZK", "--seed", "1"])).toMatchObject({ target: "mixed:ZZK", reads: "sync" });
    expect(() => parseRunArgs(["--target", "zk"])).toThrow(UsageError);
  });
});

// Mixed ensembles under chaos (--target mixed:...): ZooKeeper 3.8 and zkts members voting
// together, a letter per member (Z ZooKeeper, K zkts), with partitions and kills. Reads are
// sync, as on ZooKeeper (linearizable reads are zkts's own option).
describe(`chaos on mixed ensembles (seed ${seed})`, () => {
  for (const target of ["mixed:ZZK", "mixed:KKZ"] as const) {
    it(`${target}, register with sync reads, partitions and kills: valid, no member crashed`, async () => {
      const result = await run({ target, reads: "sync" });
      expect(result.check.problems).toEqual([]);
      expect(result.verdict).toBe("valid");
      expect(result.crashes).toEqual([]);
      expect(result.operations.ok).toBeGreaterThan(100);
    });
  }

  it("mixed:ZKK, set with partitions, kills and reconfigs: valid, the configuration changes and comes back", async () => {
    const result = await run({ target: "mixed:ZKK", workload: "set", reads: "sync", nemesis: ["partition", "kill", "reconfig"], timeMs: 20_000 });
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    expect(result.crashes).toEqual([]);
    const outcomes = result.schedule.filter((s) => s.action.do === "reconfig").map((s) => s.outcome?.result);
    expect(outcomes, outcomes.join(",")).toContain("ok");
    expect(result.membership?.restored).toBe(true);
    // Each member's zoo.cfg (rewritten by the reconfigs) is kept beside its log, with the dynamic files.
    for (const id of [1, 2, 3]) {
      const conf = join(result.out, "logs", `zk${id}-conf`);
      expect(readFileSync(join(conf, "zoo.cfg"), "utf8")).toMatch(/^dynamicConfigFile=/m);
      expect(readdirSync(conf).some((f) => f.startsWith("zoo.cfg.dynamic."))).toBe(true);
    }
  });
});
