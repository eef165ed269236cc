import { JuteError, JuteReader, JuteWriter } from "@zkts/jute";

// A learner tells the leader which sessions its clients used since its last report, once per
// tick, in a REQUEST of type ping whose record is a count and that many session ids. This is
// zkts's own scheme; ZooKeeper puts the same report in its learners' PING replies.

export function writeSessionReport(ids: ReadonlySet<bigint>): Buffer {
  const w = new JuteWriter(4 + 8 * ids.size);
  w.writeInt(ids.size);
  for (const id of ids) w.writeLong(id);
  return w.toBuffer();
}

export function readSessionReport(payload: Buffer): bigint[] {
  const r = new JuteReader(payload);
  const count = r.readInt();
  if (count < 0 || count * 8 > r.remaining) throw new JuteError(`session report of ${count} ids in ${payload.length} bytes`);
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(r.readLong());
  return ids;
}
