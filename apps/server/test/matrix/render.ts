import type { Cell, CellResult } from "./cell.js";

export interface MatrixNote {
  client: string;
  note: string;
}

/** docs/clients.md: the matrix as a table, then the allowed differences with their reasons. */
export function renderMatrix(rows: { cell: Cell; result: CellResult }[], notes: MatrixNote[]): string {
  const lines = [
    "# Client compatibility matrix",
    "",
    "Each cell is one program written for one client library, run unchanged against a standalone",
    "zkts and a standalone Apache ZooKeeper 3.8 (Debian's 3.8.0). The outputs, with times, zxids,",
    "session ids and ports masked, must be identical line for line, or differ only where",
    "`apps/server/test/matrix/allowed-differences.json` gives the reason zkts is right.",
    "",
    "The programs live in `apps/server/test/matrix/`; `npm test` runs them",
    "(`apps/server/test/matrix.test.ts`), and `npm run matrix -w zkts-server` runs them and rewrites",
    "this page.",
    "",
    "| client | cell | what the program does | result |",
    "|---|---|---|---|",
  ];
  for (const { cell, result } of rows) {
    lines.push(`| ${cell.client} | \`${cell.name}\` | ${escape(cell.covers)} | ${verdict(result)} |`);
  }
  const allowed = rows.filter((row) => row.result.status === "allowed");
  if (allowed.length > 0) {
    lines.push("", "## Allowed differences", "");
    for (const { cell, result } of allowed) {
      if (result.status !== "allowed") continue;
      for (const reason of result.reasons) lines.push(`- \`${cell.name}\`: ${reason}`);
    }
  }
  const failing = rows.filter((row) => row.result.status === "differs" || row.result.status === "broken");
  if (failing.length > 0) {
    lines.push("", "## Open differences", "");
    for (const { cell, result } of failing) {
      if (result.status === "broken") lines.push(`- \`${cell.name}\`: ${escape(result.detail)}`);
      if (result.status === "differs") {
        for (const d of result.differences.slice(0, 5)) {
          lines.push(`- \`${cell.name}\` line ${d.line}: ZooKeeper \`${d.reference ?? "(none)"}\`, zkts \`${d.zkts ?? "(none)"}\``);
        }
      }
    }
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
