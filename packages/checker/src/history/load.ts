// Chooses an importer by name, or by a look at the text.
import { parseJepsenEdn } from "./jepsen-edn.js";
import { parseJepsenLog } from "./jepsen-log.js";
import { parseJsonLines } from "./jsonl.js";
import { pairEvents } from "./pair-events.js";
import { HistoryError, type History, type HistoryEvent } from "./types.js";

export const FORMATS = ["jsonl", "jepsen-log", "jepsen-edn", "kv"] as const;
export type HistoryFormat = (typeof FORMATS)[number];

export function detectFormat(text: string): HistoryFormat {
  const first =
    text
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? "";
  if (first.startsWith('{"') || first === "{}") return "jsonl";
  if (/jepsen\.util/.test(first)) return "jepsen-log";
  if (first.startsWith("{:") || first.startsWith("[") || first.startsWith("#")) return "jepsen-edn";
  if (first === "") return "jsonl";
  throw new HistoryError("cannot tell the history format; pass one");
}

export function parseEvents(text: string, format: HistoryFormat = detectFormat(text)): HistoryEvent[] {
  switch (format) {
    case "jsonl":
      return parseJsonLines(text);
    case "jepsen-log":
      return parseJepsenLog(text);
    case "jepsen-edn":
    case "kv":
      return parseJepsenEdn(text);
  }
}

export function parseHistory(text: string, format?: HistoryFormat): History {
  return pairEvents(parseEvents(text, format));
}
