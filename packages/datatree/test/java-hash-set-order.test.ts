/** Java's String.hashCode and HashSet iteration order, for the paths of a closeSession txn. */
import { describe, expect, it } from "vitest";
import { clonedCapacity, grownCapacity, javaHashSetOrder, javaStringHash } from "../src/java-hash-set-order.js";

describe("Java HashSet<String> order", () => {
  it("hashes strings as java.lang.String does", () => {
    expect(javaStringHash("")).toBe(0);
    expect(javaStringHash("hello")).toBe(99162322);
    // Overflows wrap as a 32-bit int.
    expect(javaStringHash("polygenelubricants")).toBe(-2147483648);
  });

  it("sizes tables as HashMap does", () => {
    expect(grownCapacity(12)).toBe(16);
    expect(grownCapacity(13)).toBe(32);
    expect(clonedCapacity(4)).toBe(8);
    expect(clonedCapacity(30)).toBe(64);
  });

  it("iterates by bucket, a bucket's keys in the order they were added", () => {
    // "Aa" and "BB" share String.hashCode 2112, so they share a bucket at any capacity.
    expect(javaHashSetOrder(["BB", "Aa"], 16)).toEqual(["BB", "Aa"]);
    expect(javaHashSetOrder(["Aa", "BB"], 16)).toEqual(["Aa", "BB"]);
    // "b" (98) lands in bucket 2 of 16 and "a" (97) in bucket 1.
    expect(javaHashSetOrder(["b", "a"], 16)).toEqual(["a", "b"]);
  });
});
