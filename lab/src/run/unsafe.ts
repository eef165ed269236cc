import { UNSAFE_MODES, type UnsafeMode, isUnsafeMode } from "@zkts/server";
import type { Target } from "../cluster/cluster.js";
import type { RunOptions } from "./run-options.js";

export { UNSAFE_MODES, type UnsafeMode };

/** The environment variable that lets the lab, and the zkts members it starts, run an unsafe mode. */
export const UNSAFE_ENV = "ZKTS_UNSAFE";

/**
 * Checks `--unsafe NAME` (a deliberately broken zkts, to prove the lab catches it): the lab's
 * own environment must say ZKTS_UNSAFE=1, and only zkts has the modes. Returns the mode, or
 * throws the message the command prints before exiting 3.
 */
export function admitUnsafe(name: string, target: Target, env: Readonly<Record<string, string | undefined>>): UnsafeMode {
  if (!isUnsafeMode(name)) throw new Error(`--unsafe takes ${UNSAFE_MODES.join(", ")}, not ${name}`);
  if (env[UNSAFE_ENV] !== "1") {
    throw new Error(`--unsafe ${name} runs a deliberately broken zkts; refused without ${UNSAFE_ENV}=1 in the environment`);
  }
  if (target !== "zkts") throw new Error(`--unsafe ${name}: unsafe modes are zkts's, not ${target}'s`);
  return name;
}

/** Every member's zoo.cfg names the mode and its environment allows it. */
export function withUnsafeMode<T extends Pick<RunOptions, "config" | "env">>(options: T, mode: UnsafeMode): T {
  return { ...options, config: { ...options.config, "zkts.unsafe": mode }, env: { ...options.env, [UNSAFE_ENV]: "1" } };
}

/** The unsafe mode a run's options ask for, if any. */
export function unsafeModeOf(options: Pick<RunOptions, "config">): string | undefined {
  return options.config?.["zkts.unsafe"];
}
