#!/usr/bin/env node
import { usageExit, UsageError } from "@zkts/cli-args";
import { connect, ErrorCode, ZkError } from "@zkts/client";
import { helpText, runCommand } from "./commands.js";
import { describeError, errorLine, exitCodeOf } from "./errors.js";
import { toJson } from "./format.js";
import { CLI_SPEC, hostCount, parseInvocation, VERSION, type Invocation } from "./invocation.js";
import { runShell } from "./shell.js";

/** Commands answered without a server. */
const LOCAL_COMMANDS: Record<string, () => { text: string; json: unknown }> = {
  help: () => ({ text: helpText(), json: { help: helpText() } }),
  version: () => ({ text: `ZooKeeper CLI version: zkts-cli ${VERSION}`, json: { name: "zkts-cli", version: VERSION } }),
};

function print(invocation: Invocation, result: { text: string; json: unknown }): void {
  const out = invocation.json ? toJson(result.json) : result.text;
  if (out !== "") process.stdout.write(`${out}\n`);
}

/** Rejects with OPERATIONTIMEOUT once `ms` has passed, so no command hangs past --timeout. */
function deadline(ms: number): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ZkError(ErrorCode.OPERATIONTIMEOUT, { detail: `no result within --timeout ${ms} ms` })), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function oneShot(invocation: Invocation): Promise<number> {
  const local = LOCAL_COMMANDS[invocation.command[0]!];
  if (local !== undefined && invocation.command.length === 1) {
    print(invocation, local());
    return 0;
  }
  const limit = deadline(invocation.timeoutMs);
  // A refused connection fails the command now rather than after the session timeout.
  const connecting = connect(invocation.server, { ...invocation.options, connectAttemptsMax: hostCount(invocation.server) });
  try {
    const client = await Promise.race([connecting, limit.promise]);
    try {
      const settings = { printWatches: true };
      const result = await Promise.race([runCommand({ client, watcher: () => {}, settings, version: VERSION }, invocation.command), limit.promise]);
      print(invocation, result);
      return 0;
    } finally {
      await client.close();
    }
  } catch (err) {
    // A connection still being attempted after the deadline must not keep the process alive.
    connecting.then(
      (c) => c.close(),
      () => {},
    );
    throw err;
  } finally {
    limit.cancel();
  }
}

async function main(): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    invocation = usageExit(CLI_SPEC, err.message);
  }
  if ("kind" in invocation) {
    (invocation.stream === "stdout" ? process.stdout : process.stderr).write(invocation.text);
    return invocation.code;
  }
  if (invocation.command.length === 0) return runShell(invocation.server, invocation.options, invocation.json, VERSION);
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
