import { parseArgs, type ParseArgsConfig } from "node:util";
import { helpText, STANDARD_OPTIONS, usageLines } from "./help.js";
import type { CommandSpec, EarlyExit, OptionSpec, OptionSpecs, OptionValues, ParsedCommand } from "./spec.js";

/** A usage error found after parsing (a bad number, a missing argument): exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

const USAGE_EXIT_DEFAULT = 2;

/** The exit a usage error leads to: its message, the usage lines and a pointer to --help. */
export function usageExit(spec: CommandSpec, message: string): EarlyExit {
  return {
    kind: "exit",
    code: spec.usageExitCode ?? USAGE_EXIT_DEFAULT,
    stream: "stderr",
    text: `${spec.name}: ${message}\n${usageLines(spec)}\nRun '${spec.name} --help' for every option.\n`,
  };
}

/** Rewrites single-dash long aliases (-server) to their option's long form (--server). */
function expandAliases(spec: CommandSpec, argv: readonly string[]): string[] {
  const aliases = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) {
    for (const alias of option.aliases ?? []) aliases.set(`-${alias}`, `--${name}`);
  }
  const out: string[] = [];
  for (const word of argv) {
    if (word === "--") {
      out.push(...argv.slice(out.length));
      break;
    }
    out.push(aliases.get(word) ?? word);
  }
  return out;
}

/**
 * Where the command's own options end when they stop at the first positional: found with a
 * lenient pass of parseArgs so that option values (-server h:p) are not taken for positionals.
 */
function firstPositionalIndex(config: ParseArgsConfig, args: string[]): number {
  const { tokens } = parseArgs({ ...config, args, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens ?? []) {
    if (token.kind === "positional") return token.index;
    if (token.kind === "option-terminator") return token.index + 1;
  }
  return args.length;
}

/**
 * Parses argv against the spec with node's util.parseArgs (strict: unknown options are usage
 * errors). --help and --version win over everything else and come back as an exit with status
 * 0. Pure: printing and exiting are the caller's (see `runOrExit`).
 */
export function parseCommand<const O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedCommand<O> | EarlyExit {
  const options: Record<string, OptionSpec> = { ...spec.options, ...STANDARD_OPTIONS };
  const config: ParseArgsConfig = {
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
    ),
  };
  let args = expandAliases(spec, argv);
  let rest: string[] = [];
  if (spec.stopAtFirstPositional === true) {
    const at = firstPositionalIndex(config, args);
    rest = argv.slice(at);
    args = args.slice(0, at);
    if (args[args.length - 1] === "--") args = args.slice(0, -1);
  }
  let parsed;
  try {
    parsed = parseArgs({ ...config, args, strict: true, allowPositionals: true });
  } catch (err) {
    return usageExit(spec, firstLine((err as Error).message));
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help === true) return { kind: "exit", code: 0, stream: "stdout", text: helpText(spec) };
  if (values.version === true) return { kind: "exit", code: 0, stream: "stdout", text: `${spec.name.split(" ")[0]} ${spec.version}\n` };
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  if (count < min) return usageExit(spec, min === 1 ? "an argument is missing" : `expected at least ${min} arguments, got ${count}`);
  if (count > max) return usageExit(spec, max === 0 ? `unexpected argument '${parsed.positionals[0]}'` : `unexpected argument '${parsed.positionals[max]}'`);
  delete values.help;
  delete values.version;
  return { kind: "run", values: values as OptionValues<O>, positionals: parsed.positionals, rest };
}

/** parseArgs's messages carry advice (about `--` and option arguments) that our usage lines replace. */
function firstLine(message: string): string {
  return message
    .split("\n")[0]!
    .replace(/\. To specify a positional argument.*$/, "")
    .replace(/^Unknown option/, "unknown option");
}
