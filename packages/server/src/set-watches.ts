import { type DataTree, NullFieldError, type Watcher } from "@zkts/datatree";

/** SetWatches2's lists in the order ZooKeeper walks them: data, exist, child, persistent, recursive. */
export type WatchLists = readonly [
  data: readonly (string | null)[] | null,
  exist: readonly (string | null)[] | null,
  child: readonly (string | null)[] | null,
  persistent: readonly (string | null)[] | null,
  persistentRecursive: readonly (string | null)[] | null,
];

const PERSISTENT = 3;

/**
 * Re-registers a reconnecting client's watches as ZooKeeper's DataTree.setWatches does with
 * nulls in them. It walks the lists in order and looks up every path except the persistent
 * ones, so a null list, or a null path anywhere else, throws NullPointerException there: the
 * watches before it stay set (and fire), and the request fails with MARSHALLINGERROR
 * (NullFieldError here). A null persistent path is filed where no event can reach it, so it
 * is skipped.
 */
export function setWatchesUpToNull(tree: DataTree, relativeZxid: bigint, lists: WatchLists, watcher: Watcher): void {
  const kept: string[][] = [[], [], [], [], []];
  let failedAt: string | null = null;
  walk: for (let kind = 0; kind < lists.length; kind++) {
    const list = lists[kind];
    if (list === null || list === undefined) {
      failedAt = "watch list";
      break;
    }
    for (const path of list) {
      if (path !== null) kept[kind]!.push(path);
      else if (kind !== PERSISTENT) {
        failedAt = "watch path";
        break walk;
      }
    }
  }
  tree.setWatches(relativeZxid, kept[0]!, kept[1]!, kept[2]!, kept[3]!, kept[4]!, watcher);
  if (failedAt !== null) throw new NullFieldError(failedAt);
}
