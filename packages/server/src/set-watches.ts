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
 * nulls in them. It walks the lists in order and looks up every data, exist and child path,
 * so a null list, or a null path there, throws NullPointerException: the watches before it
 * stay set (and fire), and the request fails with MARSHALLINGERROR (NullFieldError here). A
 * null persistent or recursive path is filed without a lookup, where no event can reach it;
 * `fileNullPathWatch` records that and says whether the session could file it (see
 * NullPathWatches).
 */
export function setWatchesUpToNull(tree: DataTree, relativeZxid: bigint, lists: WatchLists, watcher: Watcher, fileNullPathWatch: () => boolean): void {
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
      else if (kind < PERSISTENT || !fileNullPathWatch()) {
        failedAt = "watch path";
        break walk;
      }
    }
  }
  tree.setWatches(relativeZxid, kept[0]!, kept[1]!, kept[2]!, kept[3]!, kept[4]!, watcher);
  if (failedAt !== null) throw new NullFieldError(failedAt);
}

/**
 * The sessions holding a persistent or recursive watch on a null path. ZooKeeper files the
 * first one (no event ever reaches it); it keeps each such watch's mode under a key whose
 * equals dereferences the path, so filing a second one, or removing it, throws
 * NullPointerException (MARSHALLINGERROR). zkts keeps only the fact, for those answers.
 */
export class NullPathWatches {
  private readonly holders = new WeakSet<Watcher>();

  /** Files one for `watcher`; false when it already holds one (ZooKeeper's failure). */
  file(watcher: Watcher): boolean {
    if (this.holders.has(watcher)) return false;
    this.holders.add(watcher);
    return true;
  }

  heldBy(watcher: Watcher): boolean {
    return this.holders.has(watcher);
  }
}
