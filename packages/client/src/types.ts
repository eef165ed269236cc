import { CreateMode, eventTypeName, keeperStateName, type ACL, type EventTypeName, type KeeperStateName, type Stat } from "@zkts/jute";

export type { ACL, Id, Stat, ClientInfo } from "@zkts/jute";

/** A node event as delivered to watchers; `path` is relative to the client's chroot. */
export interface WatchEvent {
  type: EventTypeName;
  /** The session state when the event was produced: SyncConnected for node events. */
  state: KeeperStateName;
  path: string;
  /** zxid of the change when the server sends it (3.9 servers), else -1. */
  zxid: bigint;
}

export type WatchListener = (event: WatchEvent) => void;

export function eventName(type: number): EventTypeName {
  return eventTypeName.get(type) ?? "None";
}

export function stateName(state: number): KeeperStateName {
  return keeperStateName.get(state) ?? "Unknown";
}

export type CreateModeName = keyof typeof CreateMode;

export interface CreateOptions {
  mode?: CreateModeName;
  acl?: readonly ACL[];
  /** Required for the *_WITH_TTL modes: milliseconds after which an unused node is removed. */
  ttlMs?: number;
}

export interface CreateResult {
  path: string;
  stat: Stat;
}

export interface DataResult {
  data: Buffer;
  stat: Stat;
}

export interface ChildrenResult {
  children: string[];
  stat: Stat;
}

export interface AclResult {
  acl: ACL[];
  stat: Stat;
}

/** removeWatches / checkWatches types, as ZooKeeper's WatcherType. */
export type WatcherTypeName = "children" | "data" | "any" | "persistent" | "persistentRecursive";

export type PersistentWatchMode = "persistent" | "persistentRecursive";

export interface ReconfigOptions {
  joining?: string | null;
  leaving?: string | null;
  newMembers?: string | null;
  /** Expected config version; -1 skips the check. */
  fromConfig?: bigint;
}

export function isSequential(mode: CreateModeName): boolean {
  return mode === "PERSISTENT_SEQUENTIAL" || mode === "EPHEMERAL_SEQUENTIAL" || mode === "PERSISTENT_SEQUENTIAL_WITH_TTL";
}

export function isTtl(mode: CreateModeName): boolean {
  return mode === "PERSISTENT_WITH_TTL" || mode === "PERSISTENT_SEQUENTIAL_WITH_TTL";
}
