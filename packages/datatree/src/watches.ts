import { type ACL, EventType, type Id, KeeperState, Perms } from "@zkts/jute";
import { type AuthConfig, aclPermits } from "./auth.js";
import { selfAndAncestors } from "./path.js";

/** A watch event as it goes to a client: WatcherEvent plus the zxid that caused it. */
export interface WatchedEvent {
  type: number;
  state: number;
  path: string;
  zxid: bigint;
}

/**
 * Whoever holds watches: a client connection in the server, a fake in tests. Events are
 * delivered synchronously, in the order the tree fires them; the server queues them on the
 * connection so they reach the client before the reply of the request that caused them.
 */
export interface Watcher {
  readonly sessionId: bigint;
  readonly authInfo: readonly Id[];
  notify(event: WatchedEvent): void;
}

export type WatcherMode = "standard" | "persistent" | "persistentRecursive";

/**
 * One watch table (ZooKeeper keeps one for data/exists watches and one for child watches).
 * Each (watcher, path) pair has a single mode, and a later add overwrites it, as in ZooKeeper.
 */
export class WatchTable {
  private readonly byPath = new Map<string, Map<Watcher, WatcherMode>>();
  private readonly byWatcher = new Map<Watcher, Set<string>>();
  private recursiveCount = 0;

  constructor(private readonly auth: AuthConfig) {}

  add(path: string, watcher: Watcher, mode: WatcherMode = "standard"): void {
    let watchers = this.byPath.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.byPath.set(path, watchers);
    }
    const previous = watchers.get(watcher);
    if (previous === "persistentRecursive") this.recursiveCount--;
    if (mode === "persistentRecursive") this.recursiveCount++;
    watchers.set(watcher, mode);
    let paths = this.byWatcher.get(watcher);
    if (paths === undefined) {
      paths = new Set();
      this.byWatcher.set(watcher, paths);
    }
    paths.add(path);
  }

  /** Fires the watches an event on `path` triggers and returns the watchers that were due one. */
  trigger(path: string, type: number, zxid: bigint, acl: readonly ACL[] | null, suppress: ReadonlySet<Watcher> | null = null): Set<Watcher> {
    const due = new Set<Watcher>();
    const walk = this.recursiveCount > 0 ? selfAndAncestors(path) : [path];
    for (const localPath of walk) {
      const watchers = this.byPath.get(localPath);
      if (watchers === undefined) continue;
      const atParent = localPath !== path;
      for (const [watcher, mode] of watchers) {
        if (mode === "persistentRecursive") {
          if (type !== EventType.NodeChildrenChanged) due.add(watcher);
        } else if (!atParent) {
          due.add(watcher);
          if (mode === "standard") {
            watchers.delete(watcher);
            this.byWatcher.get(watcher)?.delete(localPath);
          }
        }
      }
      if (watchers.size === 0) this.byPath.delete(localPath);
    }
    if (due.size === 0) return due;
    const event: WatchedEvent = { type, state: KeeperState.SyncConnected, path, zxid };
    for (const watcher of due) {
      if (suppress !== null && suppress.has(watcher)) continue;
      // Since ZooKeeper 3.8.4 an event is only delivered to a watcher that may read the node.
      if (acl !== null && !aclPermits(acl, Perms.READ, watcher.authInfo, this.auth)) continue;
      watcher.notify(event);
    }
    return due;
  }

  /** checkWatches: any watch at the path itself, or a recursive one there. */
  contains(path: string, watcher: Watcher): boolean {
    return this.byPath.get(path)?.has(watcher) ?? false;
  }

  remove(path: string, watcher: Watcher): boolean {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined || !paths.delete(path)) return false;
    const watchers = this.byPath.get(path);
    if (watchers === undefined) return false;
    const mode = watchers.get(watcher);
    if (mode === undefined) return false;
    if (mode === "persistentRecursive") this.recursiveCount--;
    watchers.delete(watcher);
    if (watchers.size === 0) this.byPath.delete(path);
    return true;
  }

  /** Drops every watch of a watcher (its connection closed). */
  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined) return;
    this.byWatcher.delete(watcher);
    for (const path of paths) {
      const watchers = this.byPath.get(path);
      if (watchers === undefined) continue;
      if (watchers.get(watcher) === "persistentRecursive") this.recursiveCount--;
      watchers.delete(watcher);
      if (watchers.size === 0) this.byPath.delete(path);
    }
  }

  /** Number of (watcher, path) pairs. */
  get size(): number {
    let total = 0;
    for (const paths of this.byWatcher.values()) total += paths.size;
    return total;
  }

  get pathCount(): number {
    return this.byPath.size;
  }

  get watcherCount(): number {
    let n = 0;
    for (const paths of this.byWatcher.values()) if (paths.size > 0) n++;
    return n;
  }

  pathsOf(watcher: Watcher): ReadonlySet<string> {
    return this.byWatcher.get(watcher) ?? new Set();
  }

  /** Paths and their watchers, for the wchp/wchc/wchs reports. */
  entries(): IterableIterator<[string, Map<Watcher, WatcherMode>]> {
    return this.byPath.entries();
  }

  watchers(): IterableIterator<[Watcher, Set<string>]> {
    return this.byWatcher.entries();
  }
}
