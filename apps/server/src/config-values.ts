import { ConfigError } from "./config-error.js";

/** Digits with an optional sign, as Java's Integer.parseInt and Long.parseLong read them. */
export function integerValue(key: string, raw: string): number {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) throw new ConfigError(`${key}: expected an integer, got "${raw}"`);
  return Number(text);
}

/**
 * A switch of zoo.cfg, `true` or `false` in any case. ZooKeeper reads its switches with
 * Boolean.parseBoolean, so anything else, a typo or "yes" included, is false there; zkts
 * refuses it instead, naming the key, since a typo must not turn a setting off (or, as zkts once
 * read "yes", on) without a word. An empty value is false for ZooKeeper too: zkts accepts it for
 * a switch that is off by default and refuses it for one that is on.
 */
export function booleanValue(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false" || (v === "" && !fallback)) return false;
  throw new ConfigError(`${key}: expected true or false, got "${raw}"`);
}
