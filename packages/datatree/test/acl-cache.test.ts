import type { ACL } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { AclCache, OPEN_UNSAFE_ACL_ID } from "../src/index.js";

const A: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const B: ACL[] = [{ perms: 1, id: { scheme: "digest", id: "u:h=" } }];

describe("AclCache (ReferenceCountedACLCache)", () => {
  it("stores each distinct list once and hands out the same id for equal lists", () => {
    const cache = new AclCache();
    const a1 = cache.intern(A);
    const a2 = cache.intern([{ perms: 31, id: { scheme: "world", id: "anyone" } }]);
    const b = cache.intern(B);
    expect(a2).toBe(a1);
    expect(b).not.toBe(a1);
    expect(cache.size).toBe(2);
    expect(cache.get(a1)).toEqual(A);
    expect(cache.get(b)).toEqual(B);
  });

  it("treats list order and perms as part of the identity", () => {
    const cache = new AclCache();
    const ab = cache.intern([...A, ...B]);
    const ba = cache.intern([...B, ...A]);
    const a3 = cache.intern([{ perms: 3, id: { scheme: "world", id: "anyone" } }]);
    expect(new Set([ab, ba, a3]).size).toBe(3);
  });

  it("keeps a list until its last reference is released", () => {
    const cache = new AclCache();
    const id = cache.intern(A);
    cache.intern(A);
    cache.release(id);
    expect(cache.get(id)).toEqual(A);
    cache.release(id);
    expect(cache.size).toBe(0);
    expect(() => cache.get(id)).toThrow(/not in the cache/);
  });

  it("never reuses an id after a list was dropped", () => {
    // Snapshots refer to lists by id, so an id must not come back with another meaning.
    const cache = new AclCache();
    const first = cache.intern(A);
    cache.release(first);
    const second = cache.intern(A);
    expect(second).not.toBe(first);
    expect(cache.get(second)).toEqual(A);
  });

  it("copies the list it stores, so later mutation of the caller's list has no effect", () => {
    const cache = new AclCache();
    const mine: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
    const id = cache.intern(mine);
    mine[0]!.perms = 1;
    mine[0]!.id.id = "someone";
    expect(cache.get(id)).toEqual(A);
  });

  it("maps null to the open-unsafe id, which is never counted or dropped", () => {
    const cache = new AclCache();
    expect(cache.intern(null)).toBe(OPEN_UNSAFE_ACL_ID);
    cache.release(OPEN_UNSAFE_ACL_ID);
    cache.release(OPEN_UNSAFE_ACL_ID);
    expect(cache.get(OPEN_UNSAFE_ACL_ID)).toEqual(A);
    expect(cache.size).toBe(0);
  });

  it("restores snapshot entries with their ids and continues numbering after them", () => {
    const cache = new AclCache();
    cache.restore(7n, B);
    cache.addReference(7n);
    cache.addReference(7n);
    expect(cache.intern(B)).toBe(7n);
    const fresh = cache.intern(A);
    expect(fresh).toBe(8n);
    expect([...cache.entries()].map(([id]) => id).sort()).toEqual([7n, 8n]);
    // Three references to 7 now: two from loading, one from intern.
    cache.release(7n);
    cache.release(7n);
    expect(cache.get(7n)).toEqual(B);
    cache.release(7n);
    expect(() => cache.get(7n)).toThrow();
  });
});
