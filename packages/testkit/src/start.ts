import type { ServerOptions } from "./config.js";
import { startReferenceZooKeeper } from "./reference.js";
import type { RunningServer, ServerKind } from "./server.js";
import { startZkts } from "./zkts.js";

/** Starts either kind with the same options, so one test body can run against both. */
export function startServer(kind: ServerKind, opts?: ServerOptions): Promise<RunningServer> {
  switch (kind) {
    case "reference":
      return startReferenceZooKeeper(opts);
    case "zkts":
      return startZkts(opts);
  }
}
