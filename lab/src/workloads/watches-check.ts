import type { Operation } from "@zkts/checker";
import type { WorkloadVerdict } from "./workload.js";

export interface WatchCheckOptions {
  /** A disconnect reported at d covers changes from d - cover (the link may have died that early); in the history's time unit (ns for runs). */
  readonly cover: number;
  /** ... until the reconnect plus grace (the re-registration sent with it takes effect then). */
  readonly grace: number;
}

const EVENT_OF: Record<string, string> = { create: "NodeCreated", set: "NodeDataChanged", delete: "NodeDeleted" };

interface Watcher {
  readonly session: string;
  /** When the watch was certainly registered (the watch op returned). */
  readonly from: number;
  /** When the session was reported expired; Infinity while it lived. */
  until: number;
  /**
   * Windows [start, end] in which events may be lost, around each reported disconnect, with the
   * highest known zxid among the events received before it: events come in zxid order on a
   * connection, so a change below it that was not received was skipped, not lost in the gap.
   */
  readonly gaps: { start: number; end: number; zxidBefore: bigint }[];
  /** Events in the order received: `type path`. */
  readonly events: string[];
}

/**
 * Every acknowledged change made while a session watched must be among the events it
 * received, unless the change overlaps a gap around a disconnect the session reported (then
 * it is counted as covered, not as a miss; see inGap). Events must name a change that was attempted, come
 * at most once per session, and come in zxid order where the changes' zxids are known.
 */
export function checkWatches(operations: readonly Operation[], options: WatchCheckOptions): WorkloadVerdict {
  const changes = operations.filter((op) => op.f in EVENT_OF && op.status !== "fail");
  const attempted = new Map(changes.map((op) => [`${EVENT_OF[op.f]} ${op.key}`, op]));
  const zxidOf = new Map<string, bigint>();
  for (const op of changes) {
    const zxid = (op.output as { zxid?: string } | undefined)?.zxid;
    if (op.status === "ok" && zxid !== undefined) zxidOf.set(`${EVENT_OF[op.f]} ${op.key}`, BigInt(zxid));
  }
  const watchers = watchersOf(operations, options, zxidOf);

  const problems: string[] = [];
  let expected = 0;
  let seen = 0;
  let covered = 0;
  let missed = 0;
  for (const watcher of watchers.values()) {
    const received = new Set<string>();
    let lastZxid: { event: string; zxid: bigint } | undefined;
    for (const event of watcher.events) {
      if (received.has(event)) problems.push(`session 0x${watcher.session} received "${event}" twice`);
      received.add(event);
      if (!attempted.has(event)) problems.push(`session 0x${watcher.session} received "${event}", a change nobody made`);
      const zxid = zxidOf.get(event);
      if (zxid === undefined) continue;
      if (lastZxid !== undefined && zxid < lastZxid.zxid) {
        problems.push(
          `session 0x${watcher.session} received "${event}" (zxid 0x${zxid.toString(16)}) after "${lastZxid.event}" (zxid 0x${lastZxid.zxid.toString(16)})`,
        );
      }
      lastZxid = { event, zxid };
    }
    for (const change of changes) {
      if (change.status !== "ok" || change.call < watcher.from || change.ret > watcher.until) continue;
      expected++;
      const event = `${EVENT_OF[change.f]} ${change.key}`;
      if (received.has(event)) {
        seen++;
      } else if (watcher.gaps.some((gap) => inGap(gap, change, zxidOf.get(event)))) {
        covered++;
      } else {
        missed++;
        problems.push(`session 0x${watcher.session} never received "${event}" (op ${change.id}), acknowledged while it watched and connected`);
      }
    }
  }
  return {
    valid: problems.length === 0 ? (watchers.size > 0 ? true : "unknown") : false,
    checker: "persistent recursive watches: every change seen, or lost in a reported disconnect",
    problems,
    figures: {
      watchers: watchers.size,
      changes: changes.filter((op) => op.status === "ok").length,
      expected,
      seen,
      coveredByDisconnect: covered,
      missed,
      disconnects: [...watchers.values()].reduce((n, w) => n + w.gaps.length, 0),
      expiredWatchers: [...watchers.values()].filter((w) => Number.isFinite(w.until)).length,
    },
  };
}

/**
 * A change overlaps a gap when it may have happened between the link's death and the watch's
 * re-registration: not after the gap ended, not before it began, and, when its zxid is known,
 * after the last event the session received before the disconnect.
 */
function inGap(gap: Watcher["gaps"][number], change: Operation, zxid: bigint | undefined): boolean {
  return change.call <= gap.end && change.ret >= gap.start && (zxid === undefined || zxid > gap.zxidBefore);
}

/** The watchers of a history: one per registered session, with its events and gaps in time order. */
function watchersOf(operations: readonly Operation[], options: WatchCheckOptions, zxidOf: ReadonlyMap<string, bigint>): Map<string, Watcher> {
  const highestZxid = new Map<string, bigint>();
  const watchers = new Map<string, Watcher>();
  const sessionOf = (op: Operation) => (op.output as { session?: string } | undefined)?.session ?? "";
  for (const op of operations) {
    if (op.f === "watch" && op.status === "ok") watchers.set(sessionOf(op), { session: sessionOf(op), from: op.ret, until: Infinity, gaps: [], events: [] });
  }
  const byTime = operations
    .filter((op) => op.status === "ok" && ["event", "disconnected", "connected", "expired"].includes(op.f))
    .sort((a, b) => a.call - b.call);
  for (const op of byTime) {
    const watcher = watchers.get(sessionOf(op));
    if (watcher === undefined) continue;
    const open = watcher.gaps.at(-1);
    switch (op.f) {
      case "event": {
        const { type, path } = op.output as { type: string; path: string };
        watcher.events.push(`${type} ${path}`);
        const zxid = zxidOf.get(`${type} ${path}`);
        if (zxid !== undefined && zxid > (highestZxid.get(watcher.session) ?? -1n)) highestZxid.set(watcher.session, zxid);
        break;
      }
      case "disconnected":
        if (open === undefined || Number.isFinite(open.end))
          watcher.gaps.push({ start: op.call - options.cover, end: Infinity, zxidBefore: highestZxid.get(watcher.session) ?? -1n });
        break;
      case "connected":
        if (open !== undefined && !Number.isFinite(open.end)) open.end = op.call + options.grace;
        break;
      case "expired":
        watcher.until = op.call;
        if (open === undefined || Number.isFinite(open.end))
          watcher.gaps.push({ start: op.call - options.cover, end: Infinity, zxidBefore: highestZxid.get(watcher.session) ?? -1n });
        break;
    }
  }
  return watchers;
}
