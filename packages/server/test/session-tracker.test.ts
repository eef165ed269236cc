import { describe, expect, it } from "vitest";
import { SessionTracker, initialSessionId } from "../src/session-tracker.js";

describe("SessionTracker", () => {
  it("expires a session one tick bucket after its timeout unless touched", () => {
    const tracker = new SessionTracker(100, 1, 0);
    const id = tracker.createId();
    tracker.add(id, 1000, 0);
    // Rounded up to the next tick: 0 + 1000 → bucket 1100.
    expect(tracker.get(id)?.expiresAtMs).toBe(1100);
    expect(tracker.takeExpired(1099)).toEqual([]);
    expect(tracker.touch(id, 500)).toBe(true);
    expect(tracker.get(id)?.expiresAtMs).toBe(1600);
    expect(tracker.takeExpired(1500)).toEqual([]);
    const expired = tracker.takeExpired(1600);
    expect(expired.map((s) => s.id)).toEqual([id]);
    // An expired session is closing: it cannot be touched back to life.
    expect(tracker.touch(id, 1601)).toBe(false);
    tracker.remove(id);
    expect(tracker.get(id)).toBeUndefined();
  });

  it("hands out distinct ids with the server id in the top byte", () => {
    const tracker = new SessionTracker(2000, 7, 1_700_000_000_000);
    const a = tracker.createId();
    const b = tracker.createId();
    expect(b).toBe(a + 1n);
    expect(a >> 56n).toBe(7n);
    expect(initialSessionId(0, 1_700_000_000_000) >> 56n).toBe(0n);
  });

  it("never expires a closing session twice", () => {
    const tracker = new SessionTracker(10, 0, 0);
    const id = tracker.createId();
    tracker.add(id, 20, 0);
    tracker.setClosing(id);
    expect(tracker.takeExpired(1000)).toEqual([]);
  });

  it("in the unsafe mode never-expire, a session outlives any silence", () => {
    const tracker = new SessionTracker(100, 1, 0, true);
    const id = tracker.createId();
    tracker.add(id, 1000, 0);
    expect(tracker.takeExpired(1_000_000)).toEqual([]);
    expect(tracker.touch(id, 1_000_001)).toBe(true);
  });
});
