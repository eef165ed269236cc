/**
 * The inspection subcommands of zkts-server: they read data files and never start a server.
 * Each is loaded only when asked for, so the server's own start-up does not pay for them.
 */
const INSPECT_COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<number>>> = {
  snapshot: async () => (await import("./snapshot-command.js")).runSnapshotCommand,
  txnlog: async () => (await import("./txnlog-command.js")).runTxnlogCommand,
  verify: async () => (await import("./verify-command.js")).runVerifyCommand,
};

export const INSPECT_SYNOPSIS = Object.keys(INSPECT_COMMANDS).map((name) => `zkts-server ${name} --help`);

/**
 * Runs argv's subcommand when it is an inspection command and returns its exit status, or null
 * when argv is not one. A file that cannot be read or parsed ends with status 1 and its message.
 */
export async function runInspectCommand(argv: string[]): Promise<number | null> {
  const load = INSPECT_COMMANDS[argv[0] ?? ""];
  if (load === undefined) return null;
  const run = await load();
  try {
    return await run(argv.slice(1));
  } catch (err) {
    process.stderr.write(`zkts-server ${argv[0]}: ${(err as Error).message}\n`);
    return 1;
  }
}
