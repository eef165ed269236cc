import { EventType, WatcherType } from "@zkts/jute";
import type { WatchKind } from "./core/watch-table.js";
import type { WatcherTypeName } from "./types.js";

/** checkWatches wire values. */
export const WATCHER_TYPE_WIRE: Record<WatcherTypeName, number> = {
  children: WatcherType.Children,
  data: WatcherType.Data,
  any: WatcherType.Any,
  persistent: WatcherType.Persistent,
  persistentRecursive: WatcherType.PersistentRecursive,
};

/**
 * ZooKeeper 3.8 servers answer removeWatches with the Persistent types by MARSHALLINGERROR;
 * like the Java client, persistent watches are removed with Any, which removes every watch
 * of the session at that path.
 */
export const REMOVE_WATCHES_WIRE: Record<WatcherTypeName, number> = {
  ...WATCHER_TYPE_WIRE,
  persistent: WatcherType.Any,
  persistentRecursive: WatcherType.Any,
};

const ALL_KINDS: WatchKind[] = ["data", "exist", "child", "persistent", "persistentRecursive"];

/** The local registrations a successful removeWatches of each type drops. */
export const REMOVED_KINDS: Record<WatcherTypeName, WatchKind[]> = {
  children: ["child"],
  data: ["data", "exist"],
  any: ALL_KINDS,
  persistent: ALL_KINDS,
  persistentRecursive: ALL_KINDS,
};

/** The event a removed watcher receives. */
export const REMOVED_EVENT: Record<WatchKind, number> = {
  data: EventType.DataWatchRemoved,
  exist: EventType.DataWatchRemoved,
  child: EventType.ChildWatchRemoved,
  persistent: EventType.PersistentWatchRemoved,
  persistentRecursive: EventType.PersistentWatchRemoved,
};
