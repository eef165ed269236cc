import { connect } from "node:net";
import { Bytes } from "./bytes.js";
import { type FuzzStats, emptyStats } from "./client-port-fuzzer.js";
import { mutate } from "./mutate.js";
import type { FuzzRandom } from "./random.js";

/**
 * A stranger (a process that is no member of the ensemble) talking to a member's quorum or
 * election port: it introduces itself under made-up and real server ids, then sends zab
 * packets or election notifications with hostile values, mutated copies of them, and random
 * bytes.
 */
export type StrangerTarget = "quorum" | "election";

export interface StrangerFuzzOptions {
  host: string;
  port: number;
  target: StrangerTarget;
  random: FuzzRandom;
  /** The members' server ids, which the stranger claims now and then. */
  memberIds: readonly number[];
  workers: number;
  deadlineMs: number;
}

const FOLLOWERINFO = 11;
const OBSERVERINFO = 16;
const QUORUM_TYPES = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const ELECTION_V1 = -65536n;
const ELECTION_V2 = -65535n;
/** How long a stranger lingers after sending, so the member reads everything before it goes. */
const LINGER_MS = 150;

function strangerId(r: FuzzRandom, members: readonly number[]): bigint {
  const roll = r.below(10);
  if (roll < 3) return BigInt(r.pick(members));
  if (roll < 8) return BigInt(r.between(members.length + 1, 300));
  return r.int64();
}

function quorumPacket(r: FuzzRandom, type: number, data: Buffer | null): Buffer {
  const b = new Bytes()
    .int(type)
    .long(r.chance(0.5) ? BigInt(r.below(1000)) : r.int64())
    .str(data);
  if (r.chance(0.9)) b.int(-1);
  else {
    const n = r.chance(0.2) ? r.int32() : r.below(4);
    b.int(n);
    for (let i = 0; i < Math.min(Math.max(n, 0), 4); i++) b.str("digest").str(r.chance(0.1) ? null : "x:y");
  }
  return b.build();
}

/** One stranger's conversation with a quorum port: a learner introduction, then packets. */
export function quorumConversation(r: FuzzRandom, members: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  if (r.chance(0.85)) {
    const info = new Bytes()
      .long(strangerId(r, members))
      .int(r.chance(0.9) ? 0x10000 : r.int32())
      .long(r.chance(0.8) ? 0n : r.int64());
    out.push(quorumPacket(r, r.chance(0.8) ? FOLLOWERINFO : OBSERVERINFO, r.chance(0.95) ? info.build() : r.bytes(r.below(24))));
  }
  const count = r.between(1, 40);
  for (let i = 0; i < count; i++) {
    const roll = r.below(10);
    let packet: Buffer;
    if (roll < 6) packet = quorumPacket(r, r.chance(0.9) ? r.pick(QUORUM_TYPES) : r.int32(), r.chance(0.2) ? null : r.bytes(r.below(64)));
    else if (roll < 9 && out.length > 0) packet = mutate(r, r.pick(out), out);
    else packet = r.bytes(r.between(1, 64));
    out.push(packet);
  }
  return out;
}

function notification(r: FuzzRandom, members: readonly number[]): Buffer {
  const config = r.chance(0.7)
    ? ""
    : r.pick([
        `server.${r.between(1, 9)}=127.0.0.1:${r.between(1, 65535)}:${r.between(1, 65535)}:participant\nversion=${r.below(1000).toString(16)}`,
        "version=zz",
        "server.1=\u0000",
        "x".repeat(r.below(4000)),
      ]);
  const body = new Bytes()
    .int(r.chance(0.9) ? r.below(4) : r.int32())
    .long(r.chance(0.7) ? BigInt(r.pick(members)) : r.int64())
    .long(r.chance(0.5) ? BigInt(r.below(100_000)) : r.int64())
    .long(r.chance(0.5) ? BigInt(r.below(100)) : r.int64())
    .long(r.chance(0.5) ? BigInt(r.below(100)) : r.int64());
  const form = r.below(10);
  if (form === 0) return body.build().subarray(0, 28);
  if (form === 1) return body.build();
  body.int(r.chance(0.9) ? 2 : r.int32());
  body.str(r.chance(0.05) ? null : config);
  return body.build();
}

/** One stranger's conversation with an election port: an initial message, then notifications. */
export function electionConversation(r: FuzzRandom, members: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  const roll = r.below(10);
  if (roll < 7) {
    const address = r.chance(0.8) ? `127.0.0.1:${r.between(1, 65535)}` : r.pick(["", ":", "nohost", "[::1]:0", "x".repeat(5000), "a|b|c"]);
    const b = new Bytes().long(r.chance(0.5) ? ELECTION_V2 : ELECTION_V1).long(strangerId(r, members));
    if (r.chance(0.9)) b.str(address);
    else b.int(r.pick([-1, 0x7fffffff, 4097, r.int32()])).raw(Buffer.from(address));
    out.push(b.build());
  } else if (roll < 9) {
    out.push(new Bytes().long(strangerId(r, members)).build());
  } else {
    out.push(r.bytes(r.between(1, 32)));
  }
  const count = r.between(1, 30);
  const sent: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const payload = r.chance(0.8) || sent.length === 0 ? notification(r, members) : mutate(r, r.pick(sent), sent);
    sent.push(payload);
    const length = r.chance(0.95) ? payload.length : r.pick([-1, 0x7fffffff, 512 * 1024 + 1, r.int32()]);
    out.push(new Bytes().int(length).raw(payload).build());
  }
  return out;
}

/** Runs strangers against one port until the deadline; each conversation is one connection. */
export async function fuzzStranger(o: StrangerFuzzOptions): Promise<FuzzStats> {
  const stats = emptyStats();
  await Promise.all(
    Array.from({ length: o.workers }, async (_, worker) => {
      const r = o.random.fork(1000 + worker);
      while (performance.now() < o.deadlineMs) {
        const frames = o.target === "quorum" ? quorumConversation(r, o.memberIds) : electionConversation(r, o.memberIds);
        await converse(o, frames, stats);
      }
    }),
  );
  return stats;
}

function converse(o: StrangerFuzzOptions, frames: Buffer[], stats: FuzzStats): Promise<void> {
  const bytes = Buffer.concat(frames);
  return new Promise<void>((resolve) => {
    const socket = connect({ host: o.host, port: o.port });
    let sent = false;
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      stats.bytesReceived += chunk.length;
    });
    socket.once("connect", () => {
      stats.connections++;
      socket.write(bytes);
      sent = true;
      stats.inputs += frames.length;
      stats.bytesSent += bytes.length;
      setTimeout(() => socket.destroy(), LINGER_MS);
    });
    socket.once("close", () => {
      if (!sent) stats.refused++;
      resolve();
    });
  });
}
