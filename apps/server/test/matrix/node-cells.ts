import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Cell } from "./cell.js";
import { runProgram } from "./run-program.js";

/** Node.js client cells: programs in node/, run with this Node.js as child processes. */
const here = dirname(fileURLToPath(import.meta.url));

export const nodeCells: Cell[] = [
  {
    client: "node-zookeeper-client 1.1 (npm)",
    name: "node-zookeeper-client",
    covers:
      "create in four modes and its errors, data/children/exists watches, transaction (commit and failure), digest auth with an auth-scheme ACL, NoAuth for a second session, ephemerals gone after close",
    run: (connectString, checkpoint) => runProgram(process.execPath, [join(here, "node", "node-zookeeper-client.mjs"), connectString], { checkpoint }),
  },
  {
    client: "zookeeper 7.3 (npm, binding of the C client)",
    name: "zookeeper-npm",
    covers:
      "create in five modes, TTL refused without extended types, w_get/w_get_children/w_exists watches, set with versions, sync, mkdirp, set_acl/get_acl with digest auth, NoAuth for a second session",
    run: (connectString, checkpoint) => runProgram(process.execPath, [join(here, "node", "zookeeper-npm.mjs"), connectString], { checkpoint }),
  },
  {
    client: "@zkts/client (this repository)",
    name: "zkts-client",
    covers:
      "create in five modes and its errors, data/children/exists watches, addWatch PERSISTENT_RECURSIVE, transaction (commit and failure), digest ACL and NoAuth for a second session, getEphemerals, getAllChildrenNumber, ephemerals gone after close",
    run: (connectString, checkpoint) => runProgram(process.execPath, [join(here, "node", "zkts-client.mjs"), connectString], { checkpoint }),
  },
];
