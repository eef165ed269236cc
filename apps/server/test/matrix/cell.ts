import { CHECKPOINT_LINE, type CheckpointAction } from "./run-program.js";

/**
 * One cell of the client compatibility matrix: a program written for one client library,
 * run unchanged against zkts and Apache ZooKeeper 3.8, in two columns: standalone servers, and
 * 3-member ensembles whose leader is killed while the program waits at its checkpoint. The two
 * outputs, normalised, must be identical, or differ only where allowed-differences.json says
 * why zkts is right.
 */
export type Column = "standalone" | "ensemble";

export interface ProgramOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Cell {
  /** The client library, as the matrix's rows group them (e.g. "kazoo 2.8 (threading)"). */
  client: string;
  /** Unique name, used by allowed-differences.json. */
  name: string;
  /** What the program exercises, one line for docs/clients.md. */
  covers: string;
  /**
   * Runs the program against `connectString`; it owns a znode subtree named after the cell.
   * With `checkpoint`, the program stops in the middle of its sequence until the action is done
   * (see runProgram).
   */
  run(connectString: string, checkpoint?: CheckpointAction): Promise<ProgramOutput>;
  /**
   * Why the cell has no run in the ensemble column (absent: it has one, and its program must
   * reach a checkpoint as run-program.ts describes, or the column calls it broken).
   */
  notInEnsemble?: string;
  /** Work that needs no server (compiling the program), started while the servers start. */
  prepare?(): Promise<void>;
}

export interface AllowedDifference {
  cell: string;
  /** The column where the difference is allowed (absent: both). */
  column?: Column;
  /** The reference server's line at the differing position (absent: any). */
  reference?: string;
  /** zkts's line at that position (absent: any). */
  zkts?: string;
  reason: string;
}

export interface LineDifference {
  line: number;
  reference: string | undefined;
  zkts: string | undefined;
}

export type CellResult =
  | { status: "pass" }
  | { status: "allowed"; differences: LineDifference[]; reasons: string[] }
  | { status: "differs"; differences: LineDifference[]; zktsEnd?: string }
  | { status: "broken"; detail: string };

/** Masks what legitimately differs between two servers: times, zxids, session ids, ports. */
export function normalise(text: string): string[] {
  return text
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:?")
    .replace(/0x[0-9a-f]{6,}/gi, "0x?")
    .replace(/\b(ctime|mtime|cZxid|mZxid|pZxid|czxid|mzxid|pzxid|ephemeralOwner|session|sessionId|zxid)\s*[=:]\s*-?\d+/g, "$1=?")
    .replace(/\b\d{10,}\b/g, "?")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "");
}

/**
 * Lines a client library prints on its own when its connection drops or comes back: the
 * ensemble column masks them, since how many appear, and where, depends on when the client
 * notices the leader's death, not on the server.
 */
export const CONNECTION_STATE_LINES: readonly RegExp[] = [
  // The zookeeper npm binding's native logger, at ERROR level, on a lost connection.
  /^yield:zookeeper_process returned an error: -4 - connection loss$/,
];

/** normalise, plus the ensemble column's masking of connection-state lines. */
export function normaliseFor(column: Column, text: string): string[] {
  const lines = normalise(text);
  return column === "ensemble" ? lines.filter((line) => !CONNECTION_STATE_LINES.some((pattern) => pattern.test(line))) : lines;
}

/** Position-by-position differences between two normalised outputs. */
export function differencesOf(reference: string[], zkts: string[]): LineDifference[] {
  const differences: LineDifference[] = [];
  const length = Math.max(reference.length, zkts.length);
  for (let line = 0; line < length; line++) {
    if (reference[line] !== zkts[line]) differences.push({ line: line + 1, reference: reference[line], zkts: zkts[line] });
  }
  return differences;
}

/**
 * Judges one cell from its two runs in one column. The reference run must succeed and print
 * "done" (in the ensemble column, after its checkpoint): a program that fails against
 * ZooKeeper itself says nothing about zkts.
 */
export function judge(
  cell: string,
  onReference: ProgramOutput,
  onZkts: ProgramOutput,
  allowed: AllowedDifference[],
  column: Column = "standalone",
): CellResult {
  const finished = (out: ProgramOutput) => out.code === 0 && normaliseFor(column, out.stdout).at(-1) === "done";
  if (!finished(onReference)) {
    return { status: "broken", detail: `the program fails against ZooKeeper 3.8 (exit ${onReference.code}): ${tail(onReference)}` };
  }
  if (column === "ensemble" && !normaliseFor(column, onReference.stdout).includes(CHECKPOINT_LINE)) {
    return { status: "broken", detail: "the program never reached its checkpoint against ZooKeeper 3.8, so no leader was killed" };
  }
  const differences = differencesOf(normaliseFor(column, onReference.stdout), normaliseFor(column, onZkts.stdout));
  if (differences.length === 0 && finished(onZkts)) return { status: "pass" };
  if (differences.length === 0) {
    return { status: "differs", differences: [{ line: 0, reference: "exit 0", zkts: `exit ${onZkts.code}: ${tail(onZkts)}` }] };
  }
  const reasons = new Set<string>();
  for (const difference of differences) {
    const entry = allowed.find(
      (a) =>
        a.cell === cell &&
        (a.column === undefined || a.column === column) &&
        (a.reference === undefined || a.reference === difference.reference) &&
        (a.zkts === undefined || a.zkts === difference.zkts),
    );
    if (entry === undefined) {
      // A program that stopped early against zkts says why in its last lines (often stderr).
      return finished(onZkts) ? { status: "differs", differences } : { status: "differs", differences, zktsEnd: `exit ${onZkts.code}: ${tail(onZkts)}` };
    }
    reasons.add(entry.reason);
  }
  return { status: "allowed", differences, reasons: [...reasons] };
}

function tail(out: ProgramOutput): string {
  return (out.stderr + out.stdout).trim().split("\n").slice(-6).join(" | ");
}
