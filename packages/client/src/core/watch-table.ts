import { EventType } from "@zkts/jute";

/** Where a watch is kept; mirrors the five tables of ZooKeeper's client watch manager. */
export type WatchKind = "data" | "exist" | "child" | "persistent" | "persistentRecursive";

export const WATCH_KINDS: readonly WatchKind[] = ["data", "exist", "child", "persistent", "persistentRecursive"];

/** A node event with the server-side path (the client layer removes any chroot). */
export interface RawWatchEvent {
  type: number;
  state: number;
  path: string;
  /** zxid of the change when the server sends it (3.9), else -1. */
  zxid: bigint;
}

export type RawWatcher = (event: RawWatchEvent) => void;

/**
 * Client-side watch registrations keyed by server path. The server sends one notification per
 * path and type however many watchers asked, so fan-out to every watcher happens here. One-shot
 * kinds are removed when they fire; persistent kinds stay until removed.
 */
export class WatchTable {
  private readonly tables: Record<WatchKind, Map<string, Set<RawWatcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: RawWatcher): void {
    let set = this.tables[kind].get(path);
    if (set === undefined) {
      set = new Set();
      this.tables[kind].set(path, set);
    }
    set.add(watcher);
  }

  /** Removes one watcher, or all of the kind at `path`; returns the removed watchers. */
  remove(kind: WatchKind, path: string, watcher?: RawWatcher): RawWatcher[] {
    const set = this.tables[kind].get(path);
    if (set === undefined) return [];
    if (watcher === undefined) {
      this.tables[kind].delete(path);
      return [...set];
    }
    if (!set.delete(watcher)) return [];
    if (set.size === 0) this.tables[kind].delete(path);
    return [watcher];
  }

  has(kind: WatchKind, path: string): boolean {
    return this.tables[kind].has(path);
  }

  paths(kind: WatchKind): string[] {
    return [...this.tables[kind].keys()];
  }

  get size(): number {
    let n = 0;
    for (const kind of WATCH_KINDS) for (const set of this.tables[kind].values()) n += set.size;
    return n;
  }

  /** Drops every registration and returns the distinct watchers that were registered. */
  clear(): RawWatcher[] {
    const all = new Set<RawWatcher>();
    for (const kind of WATCH_KINDS) {
      for (const set of this.tables[kind].values()) for (const w of set) all.add(w);
      this.tables[kind].clear();
    }
    return [...all];
  }

  /**
   * The watchers a node event triggers, with one-shot registrations consumed. A watcher
   * registered several ways for the same event is called once.
   */
  route(type: number, path: string): RawWatcher[] {
    const out = new Set<RawWatcher>();
    const take = (kind: WatchKind, p: string) => {
      const set = this.tables[kind].get(p);
      if (set === undefined) return;
      this.tables[kind].delete(p);
      for (const w of set) out.add(w);
    };
    const keep = (kind: WatchKind, p: string) => {
      const set = this.tables[kind].get(p);
      if (set !== undefined) for (const w of set) out.add(w);
    };
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take("data", path);
        take("exist", path);
        break;
      case EventType.NodeChildrenChanged:
        take("child", path);
        break;
      case EventType.NodeDeleted:
        take("data", path);
        take("exist", path);
        take("child", path);
        break;
      default:
        return [];
    }
    keep("persistent", path);
    // Recursive watches never see NodeChildrenChanged: the server does not send it for them.
    if (type !== EventType.NodeChildrenChanged) {
      for (let p = path; ; p = parent(p)) {
        keep("persistentRecursive", p);
        if (p === "/") break;
      }
    }
    return [...out];
  }
}

function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
