#!/usr/bin/env node
import { connect, type ClientOptions } from "@zkts/client";
import { runCommand, UsageError } from "./commands.js";
import { describeError, errorLine, exitCodeOf } from "./errors.js";
import { toJson } from "./format.js";
import { runShell } from "./shell.js";

/**
 * zkts-cli [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [--json] [cmd args...]
 * With a command it runs once and exits (status 0 on success, 1 for a ZooKeeper error, 2 for
 * a usage error); without one it opens the interactive shell.
 */
interface Invocation {
  server: string;
  options: ClientOptions;
  json: boolean;
  command: string[];
}

export function parseInvocation(argv: readonly string[]): Invocation {
  let server = process.env.ZKTS_SERVER ?? "127.0.0.1:2181";
  const options: ClientOptions = { sessionTimeoutMs: 30_000 };
  let json = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-server" || arg === "--server") server = need(argv, ++i, arg);
    else if (arg === "-timeout" || arg === "--timeout") options.sessionTimeoutMs = Number(need(argv, ++i, arg));
    else if (arg === "-r" || arg === "--readonly") options.readOnlyAllowed = true;
    else if (arg === "--json") json = true;
    else if (arg === "--auth") {
      const value = need(argv, ++i, arg);
      const colon = value.indexOf(":");
      if (colon < 0) throw new UsageError("--auth takes scheme:credentials, e.g. digest:user:password");
      (options.auth ??= []).push({ scheme: value.slice(0, colon), auth: value.slice(colon + 1) });
    } else break;
  }
  return { server, options, json, command: argv.slice(i) };
}

function need(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i];
  if (value === undefined) throw new UsageError(`${flag} needs a value`);
  return value;
}

async function oneShot(invocation: Invocation): Promise<number> {
  const client = await connect(invocation.server, invocation.options);
  try {
    const result = await runCommand({ client, watcher: () => {} }, invocation.command);
    const out = invocation.json ? toJson(result.json) : result.text;
    if (out !== "") process.stdout.write(`${out}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

async function main(): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${errorLine(err)}\n`);
    return 2;
  }
  if (invocation.command.length === 0) return runShell(invocation.server, invocation.options, invocation.json);
  try {
    return await oneShot(invocation);
  } catch (err) {
    if (invocation.json) process.stderr.write(`${toJson({ error: describeError(err) })}\n`);
    else process.stderr.write(`${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${errorLine(err)}\n`);
    process.exit(3);
  },
);
