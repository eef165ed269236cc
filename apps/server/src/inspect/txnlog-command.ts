import { readFile } from "node:fs/promises";
import { packageVersion, parseOrExit, type CommandSpec } from "@zkts/cli-args";
import { readTxnEntry } from "@zkts/jute";
import { readLogHeader, walkLogEntries } from "./log-walk.js";
import { Output, toJson } from "./output.js";
import { txnEntryJson, txnEntryText } from "./txn-text.js";

const TXNLOG_SPEC = {
  name: "zkts-server txnlog",
  version: packageVersion(import.meta.url),
  synopsis: ["zkts-server txnlog [--json] <log file>"],
  summary:
    "Prints a transaction log (version-2/log.<zxid>, written by zkts or ZooKeeper): each txn's\n" +
    "time, session, cxid, zxid and type with its body decoded, in the text form of ZooKeeper's\n" +
    "TxnLogToolkit; or, with --json, one JSON object per line (a header, each txn, the end).\n" +
    "Every entry's checksum is checked; the listing stops at the first damaged entry and says where.",
  options: {
    json: { type: "boolean", description: "print JSON lines instead of TxnLogToolkit's text" },
  },
  positionals: { min: 1, max: 1 },
  epilogue: "Exit status: 0 the whole log was read, 1 it is unreadable or damaged (the message names the offset), 2 usage error.",
} as const satisfies CommandSpec;

export async function runTxnlogCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOrExit(TXNLOG_SPEC, args);
  const file = positionals[0]!;
  const json = values.json === true;
  const bytes = await readFile(file);
  const out = new Output();
  const header = readLogHeader(bytes);
  if ("damaged" in header) {
    process.stderr.write(`${file}: ${header.damaged} at byte offset 0\n`);
    return 1;
  }
  if (json) await out.write(`${toJson({ file, dbid: header.dbid, version: header.version })}\n`);
  else await out.write(`ZooKeeper Transactional Log File with dbid ${header.dbid} txnlog format version ${header.version}\n`);
  let count = 0;
  for (const step of walkLogEntries(bytes)) {
    if (out.isClosed) return 0;
    if (step.kind === "entry") {
      let entry;
      try {
        entry = readTxnEntry(step.txnBytes);
      } catch (err) {
        return damaged(file, step.offset, `undecodable txn (${(err as Error).message})`, count, json, out);
      }
      count++;
      await out.write(json ? `${toJson(txnEntryJson(entry, step.offset))}\n` : txnEntryText(entry));
    } else if (step.kind === "end") {
      await out.write(json ? `${toJson({ end: { txns: count, offset: step.offset } })}\n` : `EOF reached after ${count} txns.\n`);
    } else {
      return damaged(file, step.offset, step.reason, count, json, out);
    }
  }
  return 0;
}

async function damaged(file: string, offset: number, reason: string, count: number, json: boolean, out: Output): Promise<number> {
  const where = `${file}: ${reason} at byte offset ${offset}`;
  if (json) await out.write(`${toJson({ end: { txns: count, offset, damaged: reason } })}\n`);
  else await out.write(`Damaged entry after ${count} txns.\n`);
  process.stderr.write(`${where}\n`);
  return 1;
}
