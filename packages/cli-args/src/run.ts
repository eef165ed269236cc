import { parseCommand, usageExit, UsageError } from "./parse.js";
import type { CommandSpec, EarlyExit, OptionSpecs, ParsedCommand } from "./spec.js";

/** Prints an early exit where it belongs and ends the process with its status. */
export function exitWith(outcome: EarlyExit): never {
  (outcome.stream === "stdout" ? process.stdout : process.stderr).write(outcome.text);
  process.exit(outcome.code);
}

/** parseCommand for a command's entry point: help, version and usage errors end the process. */
export function parseOrExit<const O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedCommand<O> {
  const outcome = parseCommand(spec, argv);
  if (outcome.kind === "exit") exitWith(outcome);
  return outcome;
}

/**
 * Runs `work` (which reads the parsed values and may throw UsageError for values it cannot
 * use) and turns a UsageError into the command's usage exit; anything else propagates.
 */
export function withUsageErrors<T>(spec: CommandSpec, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof UsageError) exitWith(usageExit(spec, err.message));
    throw err;
  }
}
