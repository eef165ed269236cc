// Jepsen's console log, as in the etcd corpus:
//   INFO  jepsen.util - <process>\t:<type>\t:<f>\t<value>
// The separators are tabs in most files and spaces in some, so any whitespace is accepted.
// Lines of other loggers are ignored.
import { readEdn } from "./edn.js";
import { HistoryError, type EventType, type HistoryEvent } from "./types.js";

const LINE = /^\s*INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(invoke|ok|fail|info)\s+:(\S+)\s*(.*?)\s*$/;

export function parseJepsenLog(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  text.split("\n").forEach((line, index) => {
    const match = LINE.exec(line);
    if (!match) return;
    const [, processText, typeText, f, valueText] = match as unknown as [string, string, string, string, string];
    const process = Number(processText);
    if (!Number.isInteger(process)) return; // the nemesis logs here too
    let value;
    try {
      value = valueText === "" ? null : readEdn(valueText);
    } catch (error) {
      throw new HistoryError(`line ${index + 1}: ${(error as Error).message}`);
    }
    let type = typeText as EventType;
    // A read that timed out is logged as :fail, yet its result is simply unknown.
    if (type === "fail" && value === "timed-out") type = "info";
    if (type === "info" && value === "timed-out") value = null;
    events.push({ process, type, f, value });
  });
  return events;
}
