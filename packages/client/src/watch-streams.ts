import { ErrorCode, type Stat } from "@zkts/jute";
import { ZkError } from "./errors.js";
import type { WatchEvent, WatchListener } from "./types.js";

/** What the stream helpers need from the client. */
export interface WatchSource {
  getData(path: string, watcher?: WatchListener): Promise<{ data: Buffer; stat: Stat }>;
  exists(path: string, watcher?: WatchListener): Promise<Stat | null>;
  getChildren(path: string, watcher?: WatchListener): Promise<string[]>;
}

export interface DataSnapshot {
  /** null while the node does not exist. */
  data: Buffer | null;
  stat: Stat | null;
}

function nextEvent(): { listener: WatchListener; fired: Promise<WatchEvent> } {
  let listener!: WatchListener;
  const fired = new Promise<WatchEvent>((resolve) => (listener = resolve));
  return { listener, fired };
}

/** Ends the stream on session end: closed ends it, expiry and auth failure fail it. */
function checkSessionEvent(event: WatchEvent, path: string): boolean {
  if (event.type !== "None") return false;
  if (event.state === "Expired") throw new ZkError(ErrorCode.SESSIONEXPIRED, { path });
  if (event.state === "AuthFailed") throw new ZkError(ErrorCode.AUTHFAILED, { path });
  return true;
}

/**
 * The node's data now and after every change, re-arming a one-shot watch each time (like
 * kazoo's DataWatch). Changes that happen while a read is on its way coalesce into one
 * snapshot: every snapshot is current when read, but not every intermediate value is seen.
 */
export async function* dataSnapshots(client: WatchSource, path: string): AsyncGenerator<DataSnapshot, void, undefined> {
  for (let round = 0; round < Number.MAX_SAFE_INTEGER; round++) {
    const { listener, fired } = nextEvent();
    let snapshot: DataSnapshot;
    try {
      snapshot = await client.getData(path, listener);
    } catch (err) {
      if (!ZkError.is(err, "NONODE")) throw err;
      // exists() sets a watch even on a missing node, so its creation is not missed.
      const stat = await client.exists(path, listener);
      if (stat !== null) continue;
      snapshot = { data: null, stat: null };
    }
    yield snapshot;
    if (checkSessionEvent(await fired, path)) return;
  }
}

/**
 * The node's children now and after every change (like kazoo's ChildrenWatch). Ends when the
 * node is deleted.
 */
export async function* childrenSnapshots(client: WatchSource, path: string): AsyncGenerator<string[], void, undefined> {
  for (let round = 0; round < Number.MAX_SAFE_INTEGER; round++) {
    const { listener, fired } = nextEvent();
    let children: string[];
    try {
      children = await client.getChildren(path, listener);
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return;
      throw err;
    }
    yield children.sort();
    const event = await fired;
    if (checkSessionEvent(event, path) || event.type === "NodeDeleted") return;
  }
}
