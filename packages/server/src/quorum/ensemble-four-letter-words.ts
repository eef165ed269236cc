import { environmentReport, linesByKey, watchSummaryReport, watchesByPath, watchesBySession } from "../four-letter-words.js";
import { hex } from "../logger.js";
import { directorySizeBytes } from "../process-facts.js";
import type { MemberView } from "./member-view.js";
import { memberMonitorFigures, monitorText } from "./member-monitor.js";
import { NOT_SERVING, confReport, connectionLines, dumpReport, logDirOf, serverSummary, snapshotDirOf } from "./member-reports.js";

/** Words that answer even while the member is not serving (electing or syncing), as in ZooKeeper. */
const ANSWERED_WHEN_NOT_SERVING: ReadonlySet<string> = new Set(["ruok", "envi", "isro", "gtmk", "stmk"]);

/**
 * The four-letter words of an ensemble member, answered as a ZooKeeper 3.8 member answers them
 * (Mode lines, the quorum keys of conf, the leader's session buckets in dump). The whitelist
 * check happens before this runs, exactly as for the standalone server.
 */
export function runEnsembleFourLetterWord(server: MemberView, word: string): string {
  // A member serving read-only clients runs a server, so every word answers.
  if (!server.serving && !server.servingReadOnly && !ANSWERED_WHEN_NOT_SERVING.has(word)) return NOT_SERVING;
  const tree = server.tree;
  switch (word) {
    case "ruok":
      return "imok";
    case "srvr":
      return serverSummary(server, null);
    case "stat":
      return serverSummary(server, connectionLines(server, true));
    case "mntr":
      return monitorText(memberMonitorFigures(server));
    case "conf":
      return confReport(server);
    case "cons":
      return `${connectionLines(server, false)}\n`;
    case "envi":
      return environmentReport();
    case "wchs":
      return watchSummaryReport(tree);
    // ZooKeeper ends both listings with an empty line.
    case "wchc":
      return `${linesByKey(watchesBySession(tree), hex, (p) => p)}\n`;
    case "wchp":
      return `${linesByKey(watchesByPath(tree), (p) => p, hex)}\n`;
    case "dump":
      return dumpReport(server);
    case "dirs":
      return `datadir_size: ${directorySizeBytes(snapshotDirOf(server))}\nlogdir_size: ${directorySizeBytes(logDirOf(server))}\n`;
    case "isro":
      // ZooKeeper answers "null" while it has no running server, "ro" from its read-only one.
      return server.serving ? "rw" : server.servingReadOnly ? "ro" : "null";
    case "crst":
      for (const c of server.connections) {
        c.lastLatencyMs = 0;
        c.packetsReceived = 0;
        c.packetsSent = 0;
      }
      return "Connection stats reset.\n";
    case "srst":
      server.metrics.reset();
      server.driver.stats.reset();
      return "Server stats reset.\n";
    case "gtmk":
    case "stmk":
      // zkts has no request tracing, so the trace mask is always empty.
      return "0";
    case "hash":
      // zkts keeps no tree digests (ZooKeeper's digest log), so there are none to list.
      return "";
    default:
      return `Unknown command: ${word}\n`;
  }
}
