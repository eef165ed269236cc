import { UsageError } from "./parse.js";

/** An integer option's value, with the option named in the error when it is not one. */
export function integerValue(text: string | undefined, option: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${option} takes an integer, not '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option}: ${text} is out of range`);
  if (range.min !== undefined && n < range.min) throw new UsageError(`${option} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`${option} must be at most ${range.max}, got ${n}`);
  return n;
}

/** A decimal number option's value (a ratio, seconds), bounded like integerValue. */
export function numberValue(text: string | undefined, option: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${option} takes a number, not '${text}'`);
  if (range.min !== undefined && n < range.min) throw new UsageError(`${option} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`${option} must be at most ${range.max}, got ${n}`);
  return n;
}

/** One of a fixed set of words. */
export function choiceValue<const C extends string>(text: string | undefined, option: string, choices: readonly C[], fallback: C): C {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${option} takes ${choices.join(", ")}, not '${text}'`);
  return text as C;
}
