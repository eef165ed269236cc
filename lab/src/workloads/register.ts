import { ZkError, type ZkClient } from "@zkts/client";
import { type History, type Model, type Operation, type ZnodeState, checkOperations, zkRegister } from "@zkts/checker";
import type { SimRandom } from "../sim/random.js";
import type { CheckBudget, Workload, WorkloadVerdict } from "./workload.js";
import type { ReadMode, Worker } from "./worker.js";

const ROOT = "/zkts-lab-register";
const INITIAL = "init";

export interface RegisterOptions {
  /** Znodes, each an independent register; default 3. */
  keys?: number;
  readMode: ReadMode;
  /**
   * Judge plain reads as part of the register too (a stale read is then a violation), not
   * only for what ZooKeeper promises a session.
   */
  judgeReadsLinearizably?: boolean;
}

/**
 * A register per znode: reads (plain, sync then read, or zkts's linearizable reads), blind
 * writes (setData at any version) and compare-and-set (setData at the version last seen).
 * Writes must be linearizable on every target; reads are judged by their mode: sync and
 * linearizable reads as part of the register, plain reads only for what ZooKeeper promises a
 * session (it never sees the znode go back in time).
 */
export function registerWorkload(options: RegisterOptions): Workload {
  const keys = Array.from({ length: options.keys ?? 3 }, (_, i) => `${ROOT}/r${i}`);
  let serial = 0;
  const read = async (client: ZkClient, key: string) => {
    if (options.readMode === "sync") await client.sync(key);
    const { data, stat } = await client.getData(key);
    return { data: data?.toString("utf8") ?? null, version: stat.version };
  };
  return {
    name: "register",
    async setup(client) {
      await client.mkdirp(ROOT);
      // Version 0 holding INITIAL, as the model starts (every run has a fresh ensemble).
      for (const key of keys) await client.create(key, INITIAL);
    },
    async step(worker, random: SimRandom) {
      const key = random.pick(keys);
      const roll = random.below(4);
      if (roll < 2 || !worker.mayWrite) {
        await worker.perform("read", key, null, true, async (client) => {
          const value = await read(client, key);
          worker.versions.set(key, value.version);
          return value;
        });
        return;
      }
      const value = `${worker.index}-${++serial}`;
      const expected = roll === 2 ? -1 : (worker.versions.get(key) ?? 0);
      await worker.perform("write", key, { data: value, version: expected }, false, async (client) => {
        try {
          const stat = await client.setData(key, value, expected);
          worker.versions.set(key, stat.version);
          return { version: stat.version };
        } catch (err) {
          // A refused compare-and-set observed the version: it is an answer, not a failure.
          if (ZkError.is(err, "BADVERSION")) return { error: "BADVERSION" };
          throw err;
        }
      });
    },
    async finalReads(worker) {
      for (const key of keys) {
        await worker.perform(
          "read",
          key,
          null,
          true,
          async (client) => {
            await client.sync(key);
            return await read(client, key);
          },
          { final: true },
        );
      }
    },
    check(history, budget) {
      return checkRegister(history, judgedReadMode(options), budget);
    },
  };
}

/**
 * The model and the operations the register check searches, for a run with these options: what
 * a report re-checks to show where a register stopped being linearizable.
 */
export function registerCheckInput(
  operations: readonly Operation[],
  options: Pick<RegisterOptions, "readMode" | "judgeReadsLinearizably">,
): { model: Model<ZnodeState>; operations: Operation[] } {
  const readMode = judgedReadMode(options);
  // Final reads (after sync, with the network healed) are always part of the register check.
  return { model: zkRegister(INITIAL), operations: operations.filter((op) => op.f !== "read" || readMode !== "plain" || isFinal(op)) };
}

function judgedReadMode(options: Pick<RegisterOptions, "readMode" | "judgeReadsLinearizably">): ReadMode {
  return options.judgeReadsLinearizably && options.readMode === "plain" ? "sync" : options.readMode;
}

function checkRegister(history: History, readMode: ReadMode, budget: CheckBudget): WorkloadVerdict {
  const { model, operations: judged } = registerCheckInput(history.operations, { readMode });
  const result = checkOperations(model, judged, { timeoutMs: budget.timeoutMs, clock: () => performance.now() });
  const problems: string[] = [];
  for (const partition of result.partitions) {
    if (partition.verdict !== "not-linearizable" || partition.failure === undefined) continue;
    const op = partition.failure.blocking;
    problems.push(
      `${partition.key}: not linearizable at op ${op.id} (process ${op.process} ${op.f} ${JSON.stringify(op.input)} -> ${JSON.stringify(op.output)}) after ${partition.failure.prefix.length} ops`,
    );
  }
  const monotonic = readMode === "plain" ? sessionMonotonicity(history.operations) : [];
  problems.push(...monotonic);
  const valid = problems.length > 0 ? false : result.verdict === "linearizable" ? true : "unknown";
  return {
    valid,
    checker: readMode === "plain" ? "linearizable writes, session-monotonic reads" : "linearizable register",
    problems,
    figures: {
      operations: history.operations.length,
      checked: judged.length,
      unknownOutcomes: history.operations.filter((op) => op.status === "unknown").length,
      verdict: result.verdict,
      ...(result.reason ? { stoppedBy: result.reason } : {}),
    },
  };
}

function isFinal(op: Operation): boolean {
  return op.metadata?.final === true;
}

/**
 * ZooKeeper's promise to a session: a read never returns an older version of a znode than one
 * the session already saw (read or wrote), whichever member answers.
 */
function sessionMonotonicity(operations: readonly Operation[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  const ordered = operations.filter((op) => op.status === "ok").sort((a, b) => a.ret - b.ret);
  for (const op of ordered) {
    const session = op.metadata?.session;
    const version = (op.output as { version?: number } | null)?.version;
    if (typeof session !== "string" || typeof version !== "number") continue;
    const slot = `${session} ${op.key}`;
    const before = seen.get(slot) ?? -1;
    if (op.f === "read" && version < before) {
      problems.push(`${op.key}: session 0x${session} read version ${version} after it had seen ${before} (op ${op.id})`);
    }
    seen.set(slot, Math.max(before, version));
  }
  return problems;
}
