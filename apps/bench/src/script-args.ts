import { integerValue, packageVersion, parseOrExit, withUsageErrors, type CommandSpec, type OptionSpec } from "@zkts/cli-args";

export const VERSION = packageVersion(import.meta.url);

/**
 * The comparison scripts' shared options. Each also reads its environment variable, so
 * `BENCH_SECONDS=20 npm run bench` keeps working; a flag wins over the variable.
 */
const SCRIPT_OPTIONS = {
  seconds: { type: "string", value: "N", description: "measured seconds per load (default $BENCH_SECONDS or the script's)" },
  seed: { type: "string", value: "N", description: "seed of the load's key and operation choices (default $BENCH_SEED or 42)" },
} as const satisfies Record<string, OptionSpec>;

/**
 * How a script reports, for the scripts that take them in their extra options: `--json` prints
 * the whole result as one JSON document on stdout instead of the text (what bench:all reads),
 * `--quiet` drops the per-second progress lines on stderr.
 */
export const OUTPUT_OPTIONS = {
  json: { type: "boolean", description: "print the full result as JSON on stdout instead of the text" },
  quiet: { type: "boolean", description: "no progress lines on stderr" },
} as const satisfies Record<string, OptionSpec>;

export interface OutputMode {
  json: boolean;
  /** The runLoad progress option: null under --quiet, stderr otherwise. */
  progress: null | undefined;
  /** Writes a line of running commentary to stderr, unless --quiet. */
  log(line: string): void;
}

export function outputMode(values: Record<string, unknown>): OutputMode {
  const quiet = values.quiet === true;
  return {
    json: values.json === true,
    progress: quiet ? null : undefined,
    log: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
  };
}

export interface ScriptArgs {
  durationMs: number;
  seed: number;
  /** The script's extra options as parsed. */
  values: Record<string, unknown>;
  /** Runs `read` over values; a UsageError it throws ends the script with the usage. */
  usage<T>(read: () => T): T;
}

/** Parses a comparison script's arguments (--help, --version, --seconds, --seed); exits on usage errors. */
export function scriptArgs(name: string, summary: string, defaultSeconds: number | null, extra: Record<string, OptionSpec> = {}): ScriptArgs {
  // Without a default duration the script has no measured load of its own to size.
  const options = { ...(defaultSeconds === null ? {} : SCRIPT_OPTIONS), ...extra };
  const spec = {
    name,
    version: VERSION,
    synopsis: [
      `${name}${Object.entries(options)
        .map(([k, o]) => ` [--${k}${o.value === undefined ? "" : ` ${o.value}`}]`)
        .join("")}`,
    ],
    summary,
    options,
    epilogue: "Starts its servers on 127.0.0.1 through @zkts/testkit (a checkout with the reference ZooKeeper\nprovisioned: bash lab/provision/ensure.sh).",
  } satisfies CommandSpec;
  const argv = process.argv.slice(2);
  // Run as `zkts-bench compare ...`, the subcommand's own word comes first.
  if (argv[0] === name.split(" ")[1]) argv.shift();
  const { values } = parseOrExit(spec, argv);
  return withUsageErrors(spec, () => ({
    durationMs: integerValue((values.seconds as string | undefined) ?? process.env.BENCH_SECONDS, "--seconds", defaultSeconds ?? 0, { min: 1 }) * 1000,
    seed: integerValue((values.seed as string | undefined) ?? process.env.BENCH_SEED, "--seed", 42),
    values,
    usage: <T>(read: () => T): T => withUsageErrors(spec, read),
  }));
}
