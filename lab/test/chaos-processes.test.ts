import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NEMESIS_FAMILIES } from "../src/nemesis/planner.js";
import { labSeed as seed, shortRun as run } from "./run-support.js";

// The bounded chaos tier on local processes: short runs, every nemesis family, both targets.
// Each run prints its seed and the command that reruns it.
describe(`chaos on local processes (seed ${seed})`, () => {
  it("zkts, register with linearizable reads, partitions and kills: valid, and the run is written down", async () => {
    const result = await run({});
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    expect(result.crashes).toEqual([]);
    expect(result.operations.ok).toBeGreaterThan(100);
    expect(result.schedule.length).toBeGreaterThan(0);
    for (const file of ["history.jsonl", "schedule.json", "results.json", "junit.xml", "logs/zk1.log", "logs/zk1-conf/zoo.cfg"]) {
      expect(existsSync(join(result.out, file)), file).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(result.out, "results.json"), "utf8"));
    expect(results.verdict).toBe("valid");
    expect(results.seed).toBe(seed);
    expect(readFileSync(join(result.out, "junit.xml"), "utf8")).toContain('failures="0"');
  });

  it("ZooKeeper 3.8, register with plain reads, partitions and kills: writes linearizable, sessions never go back", async () => {
    const result = await run({ target: "zookeeper", reads: "plain" });
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    expect(result.operations.ok).toBeGreaterThan(100);
  });

  it("zkts, set workload under every nemesis family in turn: no acknowledged add lost, no member crashed but for a full disk", async () => {
    const result = await run({ workload: "set", nemesis: [...NEMESIS_FAMILIES], timeMs: 20_000, calmMs: 500, faultMs: 1500, everyFamilyOnce: true });
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    // A member whose log cannot be written stops (fail-stop); nothing else may kill one.
    const filled = new Set(result.schedule.flatMap((s) => (s.action.do === "fill-disk" ? s.action.members : [])));
    expect(result.crashes.filter((c) => !filled.has(Number(/^zk(\d+)/.exec(c)?.[1])))).toEqual([]);
    // Each family's fault starts with its own kind of action.
    const kinds = new Set(result.schedule.map((s) => (s.action.do === "links" ? s.action.toxic.type : s.action.do)));
    for (const kind of ["partition", "kill", "pause", "latency", "bandwidth", "slicer", "reset_peer", "fill-disk"]) expect(kinds, kind).toContain(kind);
  });
});
