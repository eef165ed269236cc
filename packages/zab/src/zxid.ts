import { fail } from "./assert.js";

/** A ZooKeeper transaction id: epoch in the high 32 bits, counter in the low 32. */
export type Zxid = bigint;

export const COUNTER_BITS = 32n;
export const COUNTER_MASK = 0xffffffffn;
/** ZooKeeper never proposes counter 0xffffffff: reaching it forces a new epoch. */
export const COUNTER_MAX_DEFAULT = 0xfffffffe;
export const EPOCH_MAX = 0xffffffff;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= EPOCH_MAX)) fail(`epoch out of range: ${epoch}`);
  if (!(Number.isInteger(counter) && counter >= 0 && counter <= 0xffffffff)) fail(`counter out of range: ${counter}`);
  return (BigInt(epoch) << COUNTER_BITS) | BigInt(counter);
}

export function epochOf(zxid: Zxid): number {
  if (zxid < 0n) fail(`negative zxid: ${zxid}`);
  return Number(zxid >> COUNTER_BITS);
}

export function counterOf(zxid: Zxid): number {
  if (zxid < 0n) fail(`negative zxid: ${zxid}`);
  return Number(zxid & COUNTER_MASK);
}

/** "epoch:counter" in decimal: what scenario scripts and logs print. */
export function formatZxid(zxid: Zxid): string {
  if (zxid < 0n) return "-";
  return `${epochOf(zxid)}:${counterOf(zxid)}`;
}
