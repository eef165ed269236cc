import { integerValue, packageVersion, parseCommand, UsageError, type CommandSpec, type EarlyExit } from "@zkts/cli-args";
import { readFileSync } from "node:fs";
import { type ClientOptions, type SaslOptions, saslOptionsFromJaas } from "@zkts/client";

export const VERSION = packageVersion(import.meta.url);

const SESSION_TIMEOUT_MS_DEFAULT = 30_000;

export const CLI_SPEC = {
  name: "zkts-cli",
  version: VERSION,
  synopsis: ["zkts-cli [options]                 (interactive shell)", "zkts-cli [options] COMMAND [ARGS...]  (one command, then exit)"],
  summary:
    "A zkCli.sh-style client for any ZooKeeper-compatible ensemble (Apache ZooKeeper or zkts).\n" +
    "Options come before the command; everything from the command on belongs to it.\n" +
    "Run 'zkts-cli help' for the list of commands.",
  options: {
    server: {
      type: "string",
      value: "HOST:PORT[,...][/chroot]",
      aliases: ["server"],
      description: "the ensemble to connect to (default $ZKTS_SERVER or 127.0.0.1:2181)",
    },
    timeout: {
      type: "string",
      value: "MS",
      aliases: ["timeout"],
      description: `session timeout; one command also gives up after it (default ${SESSION_TIMEOUT_MS_DEFAULT})`,
    },
    readonly: { type: "boolean", short: "r", description: "accept read-only servers (partitioned members)" },
    auth: { type: "string", multiple: true, value: "SCHEME:CREDENTIALS", description: "authenticate, e.g. digest:alice:secret (repeatable)" },
    sasl: { type: "string", value: "USER:PASSWORD", description: "authenticate with SASL DIGEST-MD5 on every connection" },
    jaas: {
      type: "string",
      value: "FILE",
      description:
        "SASL DIGEST-MD5 with the Client section of a JAAS file, as the Java client reads it\n" +
        "(default: -Djava.security.auth.login.config in $CLIENT_JVMFLAGS, if set)",
    },
    json: { type: "boolean", description: 'machine-readable output: one JSON value per result,\nerrors as {"error":{...}} on stderr' },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  stopAtFirstPositional: true,
  epilogue:
    "Exit status of one command: 0 success, 1 ZooKeeper error (the message names the code, e.g.\n" +
    "Error NONODE), 2 usage error, 3 anything else. A server that refuses the connection fails\n" +
    "the command at once.",
} as const satisfies CommandSpec;

export interface Invocation {
  server: string;
  options: ClientOptions;
  /** Bounds one command, connection included. */
  timeoutMs: number;
  json: boolean;
  command: string[];
}

/** The program's arguments, or what to print instead (help, version, a usage error). */
export function parseInvocation(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Invocation | EarlyExit {
  const outcome = parseCommand(CLI_SPEC, argv);
  if (outcome.kind === "exit") return outcome;
  const { values, rest } = outcome;
  const timeoutMs = integerValue(values.timeout, "--timeout", SESSION_TIMEOUT_MS_DEFAULT, { min: 1 });
  const options: ClientOptions = { sessionTimeoutMs: timeoutMs };
  if (values.readonly === true) options.readOnlyAllowed = true;
  for (const value of values.auth ?? []) {
    const colon = value.indexOf(":");
    if (colon < 0) throw new UsageError("--auth takes scheme:credentials, e.g. digest:user:password");
    (options.auth ??= []).push({ scheme: value.slice(0, colon), auth: value.slice(colon + 1) });
  }
  const sasl = saslOf(values.sasl, values.jaas, env);
  if (sasl !== null) options.sasl = sasl;
  return { server: values.server ?? env.ZKTS_SERVER ?? "127.0.0.1:2181", options, timeoutMs, json: values.json === true, command: rest };
}

/** How many hosts a connect string names: one refused attempt each before a command gives up. */
export function hostCount(server: string): number {
  const slash = server.indexOf("/");
  return (slash < 0 ? server : server.slice(0, slash)).split(",").filter((h) => h.trim() !== "").length;
}

/**
 * SASL credentials: --sasl user:password, else the Client section (or the one named by
 * -Dzookeeper.sasl.clientconfig) of the JAAS file given by --jaas or, as the Java client finds
 * it, by -Djava.security.auth.login.config in CLIENT_JVMFLAGS. A JAAS file without that
 * section means no SASL, as for the Java client.
 */
function saslOf(sasl: string | undefined, jaas: string | undefined, env: NodeJS.ProcessEnv): SaslOptions | null {
  if (sasl !== undefined) {
    const colon = sasl.indexOf(":");
    if (colon <= 0) throw new UsageError("--sasl takes user:password");
    return { mechanism: "DIGEST-MD5", username: sasl.slice(0, colon), password: sasl.slice(colon + 1) };
  }
  const flags = env.CLIENT_JVMFLAGS ?? "";
  const path = jaas ?? systemProperty(flags, "java.security.auth.login.config");
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the JAAS file ${path}: ${(err as Error).message}`);
  }
  try {
    return saslOptionsFromJaas(text, systemProperty(flags, "zookeeper.sasl.clientconfig") ?? "Client");
  } catch (err) {
    throw new UsageError(`JAAS file ${path}: ${(err as Error).message}`);
  }
}

/** The value of a `-Dname=value` flag (optionally quoted) in a JVM flags string. */
function systemProperty(flags: string, name: string): string | undefined {
  const escaped = name.replace(/\./g, "\\.");
  const match = new RegExp(`(?:^|\\s)['"]?-D${escaped}=("[^"]*"|'[^']*'|[^\\s'"]+)`).exec(flags);
  return match === null ? undefined : match[1]!.replace(/^["']|["']$/g, "");
}
