import { type HistoryEvent, pairEvents } from "@zkts/checker";
import { describe, expect, it } from "vitest";
import { checkEphemerals } from "../src/workloads/ephemeral.js";

// The ephemerals checker on hand-made histories: every session is dead by the final reads, so
// any ephemeral they list is a violation that names the znode and its session.
const MS = 1_000_000;

function history(finalListing: { path: string; owner: string }[][]): HistoryEvent[] {
  const events: HistoryEvent[] = [
    { process: 0, type: "invoke", f: "create", key: "/e/e-0-1", value: null, time: 1 * MS },
    { process: 0, type: "ok", f: "create", key: "/e/e-0-1", value: { path: "/e/e-0-1", session: "a1" }, time: 2 * MS, metadata: { session: "a1" } },
    { process: 1, type: "invoke", f: "create", key: "/e/e-1-2", value: null, time: 3 * MS },
    { process: 1, type: "ok", f: "create", key: "/e/e-1-2", value: { path: "/e/e-1-2", session: "b2" }, time: 4 * MS, metadata: { session: "b2" } },
    { process: 2, type: "invoke", f: "abandon", value: "a1", time: 5 * MS },
    { process: 2, type: "ok", f: "abandon", value: { session: "a1", reason: "abandoned by its worker", timeoutMs: 2000 }, time: 5 * MS },
  ];
  finalListing.forEach((left, i) => {
    events.push({ process: 10 + i, type: "invoke", f: "read", value: null, time: 9005 * MS, metadata: { final: true, waitedMs: 4000 } });
    events.push({ process: 10 + i, type: "ok", f: "read", value: left, time: 9010 * MS, metadata: { session: "f" } });
  });
  return events;
}

describe("checkEphemerals", () => {
  it("is valid when the final reads find no ephemeral", () => {
    const verdict = checkEphemerals(pairEvents(history([[], []])).operations);
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ created: 2, sessions: 2, died: 1, finalReads: 2, left: 0 });
  });

  it("names the znode, its dead session and how long ago it died", () => {
    const left = [{ path: "/e/e-0-1", owner: "a1" }];
    const verdict = checkEphemerals(pairEvents(history([left, left])).operations);
    expect(verdict.valid).toBe(false);
    // One problem per znode, however many members list it.
    expect(verdict.problems).toEqual([
      "/e/e-0-1: ephemeral of session 0xa1, which died 9000 ms before the final read (op 3; session timeout 2000 ms; abandoned by its worker)",
    ]);
  });

  it("reports ephemerals of sessions closed at the end and of sessions the run never used", () => {
    const verdict = checkEphemerals(
      pairEvents(
        history([
          [
            { path: "/e/e-1-2", owner: "b2" },
            { path: "/e/x", owner: "ff" },
          ],
        ]),
      ).operations,
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual([
      "/e/e-1-2: ephemeral of session 0xb2, which the run closed at least 4000 ms before the final read (op 3)",
      "/e/x: ephemeral of session 0xff, which no worker of the run ever used (op 3)",
    ]);
  });

  it("is unknown without a final read", () => {
    expect(checkEphemerals(pairEvents(history([])).operations).valid).toBe("unknown");
  });
});
