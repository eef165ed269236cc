import { describe, expect, it } from "vitest";
import { ByRequest } from "../src/quorum/by-request.js";

describe("ByRequest", () => {
  it("finds a value by session and cxid, once", () => {
    const pending = new ByRequest<string>();
    pending.set(0x100000000000001n, 1, "a");
    pending.set(0x100000000000001n, 2, "b");
    pending.set(0x100000000000002n, 1, "c");
    expect(pending.size).toBe(3);
    expect(pending.take(0x100000000000001n, 2)).toBe("b");
    expect(pending.take(0x100000000000001n, 2)).toBeUndefined();
    expect(pending.take(0x100000000000002n, 2)).toBeUndefined();
    expect(pending.take(0x100000000000003n, 1)).toBeUndefined();
    expect(pending.size).toBe(2);
  });

  it("counts a replaced value once", () => {
    const pending = new ByRequest<string>();
    pending.set(7n, 1, "a");
    pending.set(7n, 1, "b");
    expect(pending.size).toBe(1);
    expect(pending.take(7n, 1)).toBe("b");
    expect(pending.size).toBe(0);
  });

  it("drops a session's requests with it, and clears", () => {
    const pending = new ByRequest<string>();
    pending.set(7n, 1, "a");
    pending.set(7n, 2, "b");
    pending.set(8n, 1, "c");
    pending.dropSession(7n);
    pending.dropSession(9n);
    expect(pending.size).toBe(1);
    expect(pending.take(7n, 1)).toBeUndefined();
    pending.clear();
    expect(pending.size).toBe(0);
    expect(pending.take(8n, 1)).toBeUndefined();
  });
});
