import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HistoryEvent, type Operation, type OperationStatus, pairEvents } from "@zkts/checker";
import { describe, expect, it } from "vitest";
import { findScenario } from "../src/scenarios/library.js";
import { runScenario } from "../src/scenarios/run-scenario.js";
import type { WorkloadName } from "../src/run/run-options.js";
import { checkCounterRun } from "../src/workloads/counter.js";
import { checkFencedLock } from "../src/workloads/lock-check.js";
import { checkQueue } from "../src/workloads/queue.js";
import { checkIds } from "../src/workloads/unique-ids.js";
import { checkWatches } from "../src/workloads/watches-check.js";
import { labSeed, shortRun } from "./run-support.js";

// The checkers of the unique-ids, counter, queue, lock and watches workloads on small
// hand-made histories (each valid one made invalid by the fault it exists to catch), then
// short real runs of each workload and the two scenarios written for them, on zkts.

const MS = 1_000_000;

/** Builds a history op by op: times in ms; "unknown" leaves the op without completion. */
class Builder {
  private readonly events: HistoryEvent[] = [];
  private nextProcess = 100;

  op(
    f: string,
    key: string | undefined,
    input: unknown,
    output: unknown,
    callMs: number,
    retMs: number,
    extra: { status?: OperationStatus; process?: number; metadata?: Record<string, unknown> } = {},
  ): this {
    const process = extra.process ?? this.nextProcess++;
    const status = extra.status ?? "ok";
    this.events.push({
      process,
      type: "invoke",
      f,
      ...(key === undefined ? {} : { key }),
      value: input,
      time: callMs * MS,
      ...(extra.metadata ? { metadata: extra.metadata } : {}),
    });
    const type = status === "ok" ? "ok" : status === "fail" ? "fail" : "info";
    this.events.push({
      process,
      type,
      f,
      ...(key === undefined ? {} : { key }),
      value: status === "ok" ? output : input,
      time: retMs * MS,
      ...(status === "fail" ? { metadata: { error: String(output) } } : {}),
    });
    return this;
  }

  operations(): Operation[] {
    const sorted = [...this.events].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
    return pairEvents(sorted).operations;
  }
}

describe("unique ids", () => {
  const base = () =>
    new Builder().op("generate", undefined, 0, 1, 0, 1).op("generate", undefined, 1, 2, 0, 2).op("generate", undefined, 2, null, 0, 3, { status: "unknown" });

  it("accepts distinct ids, all present in the final reads", () => {
    const verdict = checkIds(
      base()
        .op("read", undefined, null, [1, 2, 3], 10, 11, { metadata: { final: true } })
        .operations(),
    );
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ generated: 2, duplicates: 0, unknownOutcomes: 1, lost: 0 });
  });

  it("reports an id returned twice and an acknowledged id missing from a final read", () => {
    const twice = checkIds(
      base()
        .op("generate", undefined, 3, 2, 4, 5)
        .op("read", undefined, null, [1, 2], 10, 11, { metadata: { final: true } })
        .operations(),
    );
    expect(twice.valid).toBe(false);
    expect(twice.problems[0]).toMatch(/^id 2 returned 2 times/);
    const lost = checkIds(
      base()
        .op("read", undefined, null, [2], 10, 11, { metadata: { final: true } })
        .operations(),
    );
    expect(lost.valid).toBe(false);
    expect(lost.problems).toEqual([expect.stringMatching(/1 acknowledged ids missing: 1$/)]);
  });
});

describe("counter", () => {
  const base = () =>
    new Builder().op("add", undefined, 2, 2, 0, 1).op("add", undefined, 3, null, 2, 3, { status: "unknown" }).op("read", undefined, null, 2, 4, 5);

  it("accepts reads between acknowledged and attempted adds, and a final value equal to the increments' sum", () => {
    const ops = base()
      .op("read", undefined, null, 5, 6, 7)
      .op("read", undefined, null, { value: 5, increments: 2, sumOfIncrements: 5 }, 10, 11, { metadata: { final: true } })
      .operations();
    expect(checkCounterRun(ops).valid).toBe(true);
  });

  it("reports a read below the acknowledged adds, above the attempted ones, and a multi applied in part", () => {
    const stale = checkCounterRun(base().op("read", undefined, null, 0, 6, 7).op("read", undefined, null, 9, 6, 7).operations());
    expect(stale.valid).toBe(false);
    expect(stale.problems).toEqual([expect.stringMatching(/returned 0, outside \[2, 5\]/), expect.stringMatching(/returned 9, outside \[2, 5\]/)]);
    const torn = checkCounterRun(
      base()
        .op("read", undefined, null, { value: 5, increments: 1, sumOfIncrements: 2 }, 10, 11, { metadata: { final: true } })
        .operations(),
    );
    expect(torn.valid).toBe(false);
    expect(torn.problems[0]).toMatch(/a multi applied in part/);
  });
});

describe("queue", () => {
  const final = { metadata: { final: true } };
  // 1 and 2 enqueued one after the other; 3's dequeue is unknown but its marker says who took it.
  // Processes: the enqueues 100-102, the dequeue of 1 is 103, the unknown dequeue 7.
  const base = () =>
    new Builder()
      .op("enqueue", undefined, 1, 1, 0, 1)
      .op("enqueue", undefined, 2, 2, 2, 3)
      .op("enqueue", undefined, 3, 3, 4, 5)
      .op("dequeue", undefined, null, 1, 6, 7)
      .op("dequeue", undefined, null, null, 8, 9, { status: "unknown", process: 7 });

  it("accepts FIFO dequeues and an unknown dequeue accounted for by its marker, after a drain", () => {
    const ops = base()
      .op("dequeue", undefined, null, 2, 20, 21, final)
      .op("dequeue", undefined, null, null, 22, 23, final)
      .op(
        "read-taken",
        undefined,
        null,
        [
          { element: 1, process: 103 },
          { element: 2, process: 104 },
          { element: 3, process: 7 },
        ],
        24,
        25,
        final,
      )
      .operations();
    const verdict = checkQueue(ops);
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ enqueued: 3, dequeued: 2, takenByUnknownDequeues: 1, lost: 0 });
  });

  it("reports an element lost, one dequeued twice, and a reordering", () => {
    const lost = checkQueue(base().op("dequeue", undefined, null, null, 22, 23, final).op("read-taken", undefined, null, [], 24, 25, final).operations());
    expect(lost.valid).toBe(false);
    expect(lost.problems).toEqual(["2 was enqueued (op 1) and never left the queue", "3 was enqueued (op 2) and never left the queue"]);
    const twice = checkQueue(
      base()
        .op("dequeue", undefined, null, 1, 10, 11)
        .op("dequeue", undefined, null, null, 22, 23, final)
        .op(
          "read-taken",
          undefined,
          null,
          [
            { element: 3, process: 7 },
            { element: 1, process: 103 },
          ],
          24,
          25,
          final,
        )
        .operations(),
    );
    expect(twice.valid).toBe(false);
    expect(twice.problems).toEqual(["dequeue 5 returned 1 a second time", "2 was enqueued (op 1) and never left the queue"]);
    const reordered = new Builder()
      .op("enqueue", undefined, 1, 1, 0, 1)
      .op("enqueue", undefined, 2, 2, 2, 3)
      .op("dequeue", undefined, null, 2, 4, 5)
      .op("dequeue", undefined, null, 1, 6, 7)
      .op("dequeue", undefined, null, null, 8, 9, final)
      .op("read-taken", undefined, null, [], 10, 11, final);
    expect(checkQueue(reordered.operations()).problems).toEqual(["1 was enqueued before 2 but dequeued after it"]);
  });

  it("reports a take marked with a process that returned another element and had no unknown dequeue", () => {
    // The shape the partitioned run once showed: 103 returned 1, yet 2's marker names 103 too.
    const ops = base()
      .op("dequeue", undefined, null, null, 22, 23, final)
      .op(
        "read-taken",
        undefined,
        null,
        [
          { element: 1, process: 103 },
          { element: 2, process: 103 },
          { element: 3, process: 7 },
        ],
        24,
        25,
        final,
      )
      .operations();
    const verdict = checkQueue(ops);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual(["2 is marked taken by process 103, which never returned it and has no dequeue of unknown outcome"]);
    expect(verdict.figures).toMatchObject({ contradictingMarkers: 1, lost: 0 });
  });

  it("is unknown, not valid, when no member drained the queue", () => {
    expect(checkQueue(base().operations()).valid).toBe("unknown");
  });
});

describe("fenced lock", () => {
  const write = (b: Builder, node: string, token: number, version: number, callMs: number, retMs: number) =>
    b.op("write", "/r", { node, token: String(token), worker: 0 }, { node, token: String(token), worker: 0, version }, callMs, retMs);

  it("accepts holds whose writes follow one another, and counts beliefs that overlapped and writes fenced off", () => {
    const b = new Builder().op("acquire", "/l", 0, { node: "a", token: "10" }, 0, 1).op("acquire", "/l", 1, { node: "b", token: "20" }, 2, 30);
    write(b, "a", 10, 1, 2, 3);
    write(b, "a", 10, 2, 4, 5);
    // a is paused; its session expires, b takes the lock and writes; a wakes and is refused.
    write(b, "b", 20, 3, 31, 32);
    b.op("write", "/r", { node: "a", token: "10", worker: 0 }, "fenced: the lock node is gone", 33, 34, { status: "fail" });
    b.op("release", "/l", "a", "a", 35, 36).op("release", "/l", "b", "b", 37, 38);
    const verdict = checkFencedLock(b.operations());
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ guardedWrites: 3, holdsThatWrote: 2, fenced: 1, overlappingBeliefs: 1 });
  });

  it("reports a stale holder's write between another holder's writes, and a token that goes back", () => {
    const interleaved = new Builder();
    write(interleaved, "a", 10, 1, 0, 1);
    write(interleaved, "b", 20, 2, 2, 3);
    write(interleaved, "a", 10, 3, 4, 5);
    const verdict = checkFencedLock(interleaved.operations());
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual([
      "the guarded writes of lock node a (versions 1-3) and b (versions 2-2) interleave",
      "write 2 (version 3) carries token 10, older than 20 of write 1 (version 2)",
      "write 2 carries token 10, older than 20 of write 1, acknowledged before it was invoked",
    ]);
    const sameVersion = new Builder();
    write(sameVersion, "a", 10, 1, 0, 1);
    write(sameVersion, "b", 20, 1, 2, 3);
    expect(checkFencedLock(sameVersion.operations()).problems[0]).toBe("guarded writes 0, 1 all set the resource to version 1");
  });
});

describe("watches", () => {
  const options = { cover: 1000 * MS, grace: 100 * MS };
  const event = (b: Builder, session: string, type: string, path: string, atMs: number) =>
    b.op("event", undefined, { session, type, path }, { session, type, path }, atMs, atMs);
  /** Session s1 watches from 1 ms; /a is created (zxid 5) and changed (zxid 6) at 10 and 20 ms. */
  const base = () =>
    new Builder()
      .op("watch", "/w", null, { session: "s1" }, 0, 1)
      .op("create", "/w/a", null, { zxid: "5" }, 10, 11)
      .op("set", "/w/a", null, { zxid: "6" }, 20, 21);

  it("accepts every change seen once, in order", () => {
    const b = base();
    event(b, "s1", "NodeCreated", "/w/a", 11);
    event(b, "s1", "NodeDataChanged", "/w/a", 21);
    const verdict = checkWatches(b.operations(), options);
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ watchers: 1, expected: 2, seen: 2, coveredByDisconnect: 0, missed: 0 });
  });

  it("counts a change lost around a reported disconnect as covered, and one lost without a disconnect as missed", () => {
    const covered = base();
    event(covered, "s1", "NodeCreated", "/w/a", 11);
    covered
      .op("disconnected", undefined, { session: "s1" }, { session: "s1", reason: "x" }, 900, 900)
      .op("connected", undefined, { session: "s1" }, { session: "s1" }, 1500, 1500);
    const verdict = checkWatches(covered.operations(), options);
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ seen: 1, coveredByDisconnect: 1, missed: 0, disconnects: 1 });

    const missed = base();
    event(missed, "s1", "NodeCreated", "/w/a", 11);
    // A disconnect long after the change does not cover it.
    missed.op("disconnected", undefined, { session: "s1" }, { session: "s1", reason: "x" }, 5000, 5000);
    const miss = checkWatches(missed.operations(), options);
    expect(miss.valid).toBe(false);
    expect(miss.problems).toEqual(['session 0xs1 never received "NodeDataChanged /w/a" (op 3), acknowledged while it watched and connected']);
  });

  it("does not let a disconnect cover a change older than an event received before it (skipped, not lost)", () => {
    const b = base();
    event(b, "s1", "NodeDataChanged", "/w/a", 21);
    b.op("disconnected", undefined, { session: "s1" }, { session: "s1", reason: "x" }, 30, 30);
    const verdict = checkWatches(b.operations(), options);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual(['session 0xs1 never received "NodeCreated /w/a" (op 1), acknowledged while it watched and connected']);
  });

  it("reports an event seen twice, an invented one, and events out of zxid order", () => {
    const b = base();
    event(b, "s1", "NodeDataChanged", "/w/a", 21);
    event(b, "s1", "NodeCreated", "/w/a", 22);
    event(b, "s1", "NodeCreated", "/w/a", 23);
    event(b, "s1", "NodeDeleted", "/w/zz", 24);
    const verdict = checkWatches(b.operations(), options);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual([
      'session 0xs1 received "NodeCreated /w/a" (zxid 0x5) after "NodeDataChanged /w/a" (zxid 0x6)',
      'session 0xs1 received "NodeCreated /w/a" twice',
      'session 0xs1 received "NodeDeleted /w/zz", a change nobody made',
    ]);
  });
});

// Real runs: 3 zkts members as local processes; the queue and watches runs take a partition.
// The partitioned queue run once seemed to show one dequeue taking two elements (seed 87907): a
// dequeue timed out while its client waited to reconnect, and after the heal it still took an
// item, marked with the process its worker had moved on to. The workload now marks a take with
// the process it was invoked under and starts none once its outcome is recorded
// (test/queue-abandoned-dequeue.test.ts).
describe(`each new workload on zkts (seed ${labSeed})`, () => {
  const runs: { workload: WorkloadName; partition: boolean }[] = [
    { workload: "unique-ids", partition: false },
    { workload: "counter", partition: false },
    { workload: "queue", partition: true },
    { workload: "lock", partition: false },
    { workload: "watches", partition: true },
  ];
  for (const { workload, partition } of runs) {
    it(`${workload}${partition ? " with a partition" : ""}: valid`, async () => {
      const result = await shortRun({
        workload,
        reads: "plain",
        nemesis: partition ? ["partition"] : [],
        timeMs: 5000,
        rate: 60,
        quietMs: 1000,
        calmMs: 1000,
        faultMs: 2500,
      });
      process.stdout.write(`${workload}: ${JSON.stringify(result.check.figures)}\n`);
      expect(result.crashes).toEqual([]);
      expect(result.check.problems).toEqual([]);
      expect(result.verdict).toBe("valid");
      expect(result.operations.ok).toBeGreaterThan(20);
      if (partition) expect(result.schedule.some((s) => s.action.do === "partition")).toBe(true);
    });
  }
});

describe(`the scenarios of these workloads on zkts (seed ${labSeed})`, () => {
  it("paused-lock-holder: another client takes the lock while the holder is paused, and the holder's writes after it wakes are fenced", async () => {
    const outcome = await scenario("paused-lock-holder");
    expect(outcome.run.verdict).toBe("valid");
    expect(outcome.run.check.figures.overlappingBeliefs).toBeGreaterThanOrEqual(1);
    expect(outcome.run.check.figures.fenced).toBeGreaterThanOrEqual(1);
  });

  it("client-link-drop-watches: the events lost while a client link was down are covered by reported disconnects, none missed", async () => {
    const outcome = await scenario("client-link-drop-watches");
    expect(outcome.run.verdict).toBe("valid");
    expect(outcome.run.check.figures.disconnects).toBeGreaterThanOrEqual(1);
    expect(outcome.run.check.figures.coveredByDisconnect).toBeGreaterThanOrEqual(1);
    expect(outcome.run.check.figures.missed).toBe(0);
  });
});

async function scenario(name: string) {
  const lines: string[] = [];
  const outcome = await runScenario(
    findScenario(name),
    { target: "zkts", driver: "processes", seed: labSeed, out: mkdtempSync(join(tmpdir(), `zkts-lab-${name}-`)) },
    (line) => lines.push(line),
  );
  process.stdout.write(`${lines.filter((l) => !l.includes("ops/s")).join("\n")}\n${JSON.stringify(outcome.run.check.figures)}\n`);
  expect(outcome.run.crashes).toEqual([]);
  return outcome;
}
