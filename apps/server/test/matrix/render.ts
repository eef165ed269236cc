import type { Cell, CellResult } from "./cell.js";

export interface MatrixNote {
  client: string;
  note: string;
}

export interface MatrixRow {
  cell: Cell;
  result: CellResult;
  /** The ensemble column's result; absent when the cell has no run there (or it did not run). */
  ensemble?: CellResult;
}

/** docs/clients.md: the matrix as a table, then the allowed differences with their reasons. */
export function renderMatrix(rows: MatrixRow[], notes: MatrixNote[]): string {
  const lines = [
    "# Client compatibility matrix",
    "",
    "Each cell is one program written for one client library, run unchanged against zkts and",
    "Apache ZooKeeper 3.8 (Debian's 3.8.0), in two columns:",
    "",
    "- standalone: one zkts server and one ZooKeeper server;",
    "- ensemble, leader killed: a 3-member zkts ensemble and a 3-member ZooKeeper ensemble, the",
    "  program given every member's address. In the middle of its sequence, with watches (or an",
    "  added digest) in place, the program prints `checkpoint` and waits; the harness kills the",
    "  ensemble's leader (SIGKILL), waits until a new leader serves, and lets the program go on",
    "  once its clients answer again. The session (10 s timeout) must survive, with its",
    "  ephemerals, watches and auth, and the watches must fire for changes made after the",
    "  failover. Programs run in rounds of up to four that share one kill; the killed member",
    "  restarts during the next round. Where a session reads what another session wrote, the",
    "  program syncs first, as ZooKeeper asks of clients of an ensemble.",
    "",
    "The outputs, with times, zxids, session ids and ports masked, must be identical line for",
    "line, or differ only where `apps/server/test/matrix/allowed-differences.json` gives the",
    "reason zkts is right. Connection-state events (a client's disconnection and reconnection,",
    "which the Java and C clients hand to every watcher) are left out of the programs' outputs,",
    "and the ensemble column masks the line the zookeeper npm binding logs on connection loss:",
    "their number and moment depend on timing, not on the server.",
    "",
    "The programs live in `apps/server/test/matrix/`; `npm test` runs them",
    "(`apps/server/test/matrix.test.ts`), and `npm run matrix -w zkts-server` runs them and rewrites",
    "this page.",
    "",
    "| client | cell | what the program does | standalone | ensemble, leader killed |",
    "|---|---|---|---|---|",
  ];
  for (const { cell, result, ensemble } of rows) {
    const ensembleVerdict = cell.notInEnsemble !== undefined ? "not run (below)" : ensemble === undefined ? "not run" : verdict(ensemble);
    lines.push(`| ${cell.client} | \`${cell.name}\` | ${escape(cell.covers)} | ${verdict(result)} | ${ensembleVerdict} |`);
  }
  const outcomes = rows.flatMap(({ cell, result, ensemble }) => [
    { cell, column: "standalone", result },
    ...(ensemble === undefined ? [] : [{ cell, column: "ensemble", result: ensemble }]),
  ]);
  const allowed = outcomes.filter((row) => row.result.status === "allowed");
  if (allowed.length > 0) {
    lines.push("", "## Allowed differences", "");
    for (const { cell, column, result } of allowed) {
      if (result.status !== "allowed") continue;
      for (const reason of result.reasons) lines.push(`- \`${cell.name}\` (${column}): ${reason}`);
    }
  }
  const failing = outcomes.filter((row) => row.result.status === "differs" || row.result.status === "broken");
  if (failing.length > 0) {
    lines.push("", "## Open differences", "");
    for (const { cell, column, result } of failing) {
      if (result.status === "broken") lines.push(`- \`${cell.name}\` (${column}): ${escape(result.detail)}`);
      if (result.status === "differs") {
        if (result.zktsEnd !== undefined) lines.push(`- \`${cell.name}\` (${column}) on zkts ended with ${escape(result.zktsEnd)}`);
        for (const d of result.differences.slice(0, 5)) {
          lines.push(`- \`${cell.name}\` (${column}) line ${d.line}: ZooKeeper \`${d.reference ?? "(none)"}\`, zkts \`${d.zkts ?? "(none)"}\``);
        }
      }
    }
  }
  const absent = rows.filter((row) => row.cell.notInEnsemble !== undefined);
  if (absent.length > 0) {
    lines.push("", "## Cells not in the ensemble column", "");
    for (const { cell } of absent) lines.push(`- \`${cell.name}\`: ${cell.notInEnsemble}`);
  }
  if (notes.length > 0) {
    lines.push("", "## Clients and features not in the matrix", "");
    for (const { client, note } of notes) lines.push(`- ${client}: ${note}`);
  }
  return `${lines.join("\n")}\n`;
}

function verdict(result: CellResult): string {
  switch (result.status) {
    case "pass":
      return "pass";
    case "allowed":
      return "pass, with allowed differences (below)";
    case "differs":
      return `**differs** (${result.differences.length} lines, below)`;
    case "broken":
      return "**program fails on ZooKeeper** (below)";
  }
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|");
}
