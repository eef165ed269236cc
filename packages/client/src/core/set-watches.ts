import { OpCode, SetWatches, SetWatches2, type SetWatches2 as SetWatches2Record } from "@zkts/jute";
import type { WatchTable } from "./watch-table.js";

/** Path characters per SetWatches packet, as the Java client does, far below jute.maxbuffer. */
export const SET_WATCHES_BATCH_CHARS = 128 * 1024;

export interface SetWatchesBatch {
  opCode: typeof OpCode.setWatches | typeof OpCode.setWatches2;
  body: Buffer;
}

type ListName = Exclude<keyof SetWatches2Record, "relativeZxid">;

/**
 * The packets that re-register every watch after a reconnect. The server replays what the
 * client missed relative to `relativeZxid`. SetWatches2 is used only when persistent watches
 * exist, so older servers keep receiving the packet they know.
 */
export function setWatchesBatches(table: WatchTable, relativeZxid: bigint, batchChars = SET_WATCHES_BATCH_CHARS): SetWatchesBatch[] {
  const lists: Record<ListName, string[]> = {
    dataWatches: table.paths("data"),
    existWatches: table.paths("exist"),
    childWatches: table.paths("child"),
    persistentWatches: table.paths("persistent"),
    persistentRecursiveWatches: table.paths("persistentRecursive"),
  };
  const v2 = lists.persistentWatches.length > 0 || lists.persistentRecursiveWatches.length > 0;
  const names: ListName[] = v2
    ? ["dataWatches", "existWatches", "childWatches", "persistentWatches", "persistentRecursiveWatches"]
    : ["dataWatches", "existWatches", "childWatches"];
  const batches: SetWatchesBatch[] = [];
  let current = emptyBatch();
  let chars = 0;
  let count = 0;
  const flush = () => {
    if (count === 0) return;
    batches.push(encode(current, relativeZxid, v2));
    current = emptyBatch();
    chars = 0;
    count = 0;
  };
  for (const name of names) {
    for (const path of lists[name]) {
      if (count > 0 && chars + path.length > batchChars) flush();
      current[name].push(path);
      chars += path.length;
      count++;
    }
  }
  flush();
  return batches;
}

function emptyBatch(): Record<ListName, string[]> {
  return {
    dataWatches: [],
    existWatches: [],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
  };
}

function encode(lists: Record<ListName, string[]>, relativeZxid: bigint, v2: boolean): SetWatchesBatch {
  if (v2) return { opCode: OpCode.setWatches2, body: SetWatches2.encode({ relativeZxid, ...lists }) };
  return {
    opCode: OpCode.setWatches,
    body: SetWatches.encode({
      relativeZxid,
      dataWatches: lists.dataWatches,
      existWatches: lists.existWatches,
      childWatches: lists.childWatches,
    }),
  };
}
