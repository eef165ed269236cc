import { join } from "node:path";
import { repoRoot } from "@zkts/testkit";
import type { Cell, ProgramOutput } from "./cell.js";
import { runProgram } from "./run-program.js";

/**
 * zkts-cli: one scripted session (commands on standard input, as an operator pipes them). A
 * script cannot stop at a checkpoint, so the cell is standalone only; the library under it
 * (@zkts/client) has its own ensemble cell.
 */
const SCRIPTED = "a scripted session cannot wait at a checkpoint; its library's own cell covers the failover";

/** An operator's session in zkCli's command language. */
const SESSION = [
  "create /cli-matrix first",
  "create -e /cli-matrix/eph ephemeral-data",
  "create -s /cli-matrix/seq- x",
  "create -c /cli-matrix/box",
  "get -s /cli-matrix",
  "set -v 0 /cli-matrix second",
  "set -v 0 /cli-matrix third",
  "ls /cli-matrix",
  "ls -s /cli-matrix",
  "getEphemerals /cli-matrix",
  "getAllChildrenNumber /cli-matrix",
  "setquota -n 5 /cli-matrix/box",
  "listquota /cli-matrix/box",
  "addauth digest alice:secret",
  "create /cli-matrix/locked x auth::cdrwa",
  "getAcl /cli-matrix/locked",
  "delete /cli-matrix",
  "deleteall /cli-matrix",
  "ls /cli-matrix",
];

/**
 * A CLI's exit status is its last command's, not a verdict on the session: it is printed as a
 * line of the output (so the two servers must agree on it), and a session that ended by
 * itself is the cell's "done".
 */
function sessionOutput(result: { code: number | null; stdout: string; stderr: string }): ProgramOutput {
  if (result.code === null) return { code: null, stdout: result.stdout, stderr: result.stderr };
  return { code: 0, stdout: `${result.stdout}\nexit status ${result.code}\ndone\n`, stderr: result.stderr };
}

/** The shell's lines, without prompts, log, banner and connection chatter. */
function commandLines(text: string): string {
  return (
    text
      .split("\n")
      // A shell's prompt shares its line with the next output.
      .map((l) => l.replace(/^(\[zk: [^\]]*\] ?)+/, ""))
      .filter((l) => !/^(\d{4}-\d\d-\d\d|Connecting to|Welcome to|JLine|WATCHER::|WatchedEvent state:SyncConnected type:None)/.test(l))
      // get -s prints times as dates, and zxids in hex that depend on what the cells before
      // this one wrote on the same server: neither is the matrix's masking's (of numbers).
      .map((l) => l.replace(/^(ctime|mtime|cZxid|mZxid|pZxid) = .*$/, "$1 = ?"))
      .join("\n")
  );
}

export const cliCells: Cell[] = [
  {
    client: "zkts-cli (this repository)",
    name: "zkts-cli",
    covers:
      "create in four modes, get -s, set with versions and BadVersion, ls -s, getEphemerals, getAllChildrenNumber, setquota/listquota, addauth with an auth ACL, getAcl, delete of a non-empty node, deleteall, through zkts-cli's shell reading standard input",
    notInEnsemble: SCRIPTED,
    async run(connectString): Promise<ProgramOutput> {
      const main = join(repoRoot, "apps/cli/dist/main.js");
      const result = await runProgram(process.execPath, [main, "-server", connectString], { stdin: `${SESSION.join("\n")}\nquit\n` });
      return sessionOutput({ ...result, stdout: commandLines(`${result.stdout}\n${result.stderr}`) });
    },
  },
];
