export type { CommandSpec, EarlyExit, OptionSpec, OptionSpecs, OptionValues, ParsedCommand } from "./spec.js";
export { helpText, usageLines, STANDARD_OPTIONS } from "./help.js";
export { parseCommand, usageExit, UsageError } from "./parse.js";
export { exitWith, parseOrExit, withUsageErrors } from "./run.js";
export { choiceValue, integerValue, numberValue } from "./values.js";
export { packageVersion } from "./version.js";
