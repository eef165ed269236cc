import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { debian } from "@zkts/testkit";
import type { Cell } from "./cell.js";
import { type CheckpointAction, runProgram } from "./run-program.js";

/**
 * kazoo (Debian's python3-kazoo 2.8) cells. Each program is a Python file that reads HOSTS
 * (and, for the cooperative handlers, HANDLER) from lines put before its source, followed by
 * checkpoint.py's checkpoint().
 */
const here = dirname(fileURLToPath(import.meta.url));
const checkpointSource = readFileSync(join(here, "kazoo", "checkpoint.py"), "utf8");

function kazooProgram(file: string, globals: Record<string, string>) {
  const source = readFileSync(join(here, "kazoo", file), "utf8");
  return (connectString: string, checkpoint?: CheckpointAction) => {
    const preamble = Object.entries({ HOSTS: connectString, ...globals })
      .map(([name, value]) => `${name} = ${JSON.stringify(value)}\n`)
      .join("");
    return runProgram(debian.python, ["-"], { stdin: preamble + checkpointSource + source, env: { PYTHONUNBUFFERED: "1" }, checkpoint });
  };
}

const threading = "kazoo 2.8 (threading handler)";

export const kazooCells: Cell[] = [
  {
    client: threading,
    name: "kazoo-locks",
    covers: "Lock (contenders, hand-over), ReadLock/WriteLock, Semaphore, NonBlockingLease; two clients",
    run: kazooProgram("locks.py", {}),
  },
  {
    client: threading,
    name: "kazoo-coordination",
    covers: "Election, Barrier, DoubleBarrier, Party/ShallowParty, SetPartitioner; two or three clients",
    run: kazooProgram("coordination.py", {}),
  },
  {
    client: threading,
    name: "kazoo-data",
    covers: "Counter (int, float), Queue with priorities, LockingQueue, DataWatch, ChildrenWatch, TreeCache",
    run: kazooProgram("data.py", {}),
  },
  {
    client: threading,
    name: "kazoo-acl-transactions",
    covers: "make_digest_acl, make_acl, CREATOR_ALL_ACL, READ_ACL_UNSAFE, set_acls, auth_data; transactions that commit, fail as one, and hit NoAuth",
    run: kazooProgram("acl-transactions.py", {}),
  },
  {
    client: "kazoo 2.8 (gevent handler)",
    name: "kazoo-gevent",
    covers: "SequentialGeventHandler: async calls, a watch, sequential creates, Lock, transaction",
    run: kazooProgram("async-handler.py", { HANDLER: "gevent" }),
  },
  {
    client: "kazoo 2.8 (eventlet handler)",
    name: "kazoo-eventlet",
    covers: "SequentialEventletHandler: async calls, a watch, sequential creates, Lock, transaction",
    run: kazooProgram("async-handler.py", { HANDLER: "eventlet" }),
  },
];
