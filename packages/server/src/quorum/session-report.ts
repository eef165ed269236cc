import { JuteError, JuteReader, JuteWriter } from "@zkts/jute";

// A learner tells the leader which sessions its clients used since its last report, as
// ZooKeeper's learners do in their PING replies: {long sessionId, int timeout} for each, with
// no count (the packet's data ends the list). The replica hands it to its port as a
// forwarded request of type ping; over sockets it rides the learner's next PING.

/** Session ids and their timeouts in ms. */
export function writeSessionReport(sessions: Iterable<readonly [bigint, number]>): Buffer {
  const entries = [...sessions];
  const w = new JuteWriter(12 * entries.length);
  for (const [id, timeoutMs] of entries) {
    w.writeLong(id);
    w.writeInt(timeoutMs);
  }
  return w.toBuffer();
}

export function readSessionReport(payload: Buffer): bigint[] {
  if (payload.length % 12 !== 0) throw new JuteError(`session report of ${payload.length} bytes is not a list of {long, int}`);
  const r = new JuteReader(payload);
  const ids: bigint[] = [];
  while (r.remaining > 0) {
    ids.push(r.readLong());
    r.readInt();
  }
  return ids;
}
