/** One option of a command, as the command declares it and as its help text shows it. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** A one-letter spelling: -h for --help. */
  short?: string;
  /** May be given more than once; the value is then an array. */
  multiple?: boolean;
  /** The placeholder the help text shows after the option: --server HOST:PORT. */
  value?: string;
  /** One line (or a few) for the help text. */
  description: string;
  /**
   * Single-dash long spellings accepted as well, for commands that mirror tools spelled that
   * way (zkCli.sh's -server and -timeout). Listed in the help text.
   */
  aliases?: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** What the user types, including a subcommand: "zkts-server purge". */
  name: string;
  /** The command's package version, printed by --version. */
  version: string;
  /** Usage lines without the leading "usage: ", e.g. "zkts-check [options] FILE". */
  synopsis: readonly string[];
  /** A paragraph after the usage lines: what the command does. */
  summary?: string;
  options: O;
  /** How many positional arguments the command takes; 0..0 when absent. */
  positionals?: { min: number; max: number };
  /**
   * Options end at the first positional argument, which starts a command line of its own that
   * is returned untouched (zkts-cli -server h:p ls -s /: -s belongs to ls).
   */
  stopAtFirstPositional?: boolean;
  /** Closing help text: exit statuses, environment variables, examples. */
  epilogue?: string;
  /**
   * The status of a usage error: 2 by default. Commands that return a verdict (the checker,
   * the lab) use 2 for "unknown" and keep usage errors at 3.
   */
  usageExitCode?: number;
}

/** The parsed value of each declared option: string, string[] (multiple) or boolean. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]["type"] extends "string" ? (O[K]["multiple"] extends true ? string[] : string) : O[K]["multiple"] extends true ? boolean[] : boolean;
};

export interface ParsedCommand<O extends OptionSpecs> {
  kind: "run";
  values: OptionValues<O>;
  positionals: string[];
  /** With stopAtFirstPositional: the words from the first positional on. */
  rest: string[];
}

/** What a command should do instead of running: print help or version, or a usage error. */
export interface EarlyExit {
  kind: "exit";
  code: number;
  stream: "stdout" | "stderr";
  text: string;
}
