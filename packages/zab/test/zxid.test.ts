import { describe, expect, it } from "vitest";
import { COUNTER_MAX_DEFAULT, ZabAssertionError, counterOf, epochOf, formatZxid, makeZxid } from "../src/index.js";

describe("zxid = epoch << 32 | counter", () => {
  it("splits back into epoch and counter, at the edges too", () => {
    for (const [epoch, counter] of [
      [0, 0],
      [1, 1],
      [7, 0xfffffffe],
      [0xffffffff, 0xffffffff],
    ] as const) {
      const z = makeZxid(epoch, counter);
      expect(z).toBe(BigInt(epoch) * 2n ** 32n + BigInt(counter));
      expect([epochOf(z), counterOf(z)]).toEqual([epoch, counter]);
    }
    expect(formatZxid(makeZxid(3, 14))).toBe("3:14");
  });

  it("orders by epoch before counter", () => {
    expect(makeZxid(2, 0) > makeZxid(1, 0xffffffff)).toBe(true);
  });

  it("never proposes counter 0xffffffff by default, as ZooKeeper forces a new epoch there", () => {
    expect(COUNTER_MAX_DEFAULT).toBe(0xfffffffe);
  });

  it("refuses values that do not fit", () => {
    expect(() => makeZxid(-1, 0)).toThrow(ZabAssertionError);
    expect(() => makeZxid(0, 2 ** 32)).toThrow(ZabAssertionError);
    expect(() => makeZxid(2 ** 32, 0)).toThrow(ZabAssertionError);
  });
});
