import { NODE_LIST_END } from "./snapshot-types.js";
import type { StorageFs } from "./fs.js";

/** The smallest file that could hold a seal: ZooKeeper rejects anything shorter than 10 bytes. */
const SNAPSHOT_BYTES_MIN = 10;

/**
 * The cheap completeness check ZooKeeper uses to pick and retain snapshots
 * (SnapStream.isValidSnapshot): the file ends with the ustring "/" of a seal. A snapshot cut
 * short by a crash fails it; the full checksum is verified only when the snapshot is read.
 * Compressed snapshots are accepted as they are (their tail is compressed data).
 */
export async function looksSealed(fs: StorageFs, path: string): Promise<boolean> {
  if (path.endsWith(".gz") || path.endsWith(".snappy")) return true;
  let file;
  try {
    file = await fs.open(path, "read");
  } catch {
    return false;
  }
  try {
    const size = await file.size();
    if (size < SNAPSHOT_BYTES_MIN) return false;
    const tail = new Uint8Array(5);
    if ((await file.readAt(tail, size - 5, 5)) !== 5) return false;
    const view = new DataView(tail.buffer);
    return view.getInt32(0) === 1 && tail[4] === NODE_LIST_END.charCodeAt(0);
  } finally {
    await file.close();
  }
}
