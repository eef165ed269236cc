import { type Socket, connect } from "node:net";
import { Bytes, frame } from "./bytes.js";
import type { GoldenCorpus } from "./golden-corpus.js";
import { mutate } from "./mutate.js";
import type { FuzzRandom } from "./random.js";
import { connectPayload, requestPayload } from "./requests.js";

export interface FuzzStats {
  /** Frames written: handshakes, requests and the frame that ends each connection. */
  inputs: number;
  connections: number;
  /** Connections the server had not closed 3 s after everything was sent (each one a possible hang). */
  stalled: number;
  /** Connections refused or reset at connect (maxClientCnxns, a server at its limits). */
  refused: number;
  bytesSent: number;
  bytesReceived: number;
}

export function emptyStats(): FuzzStats {
  return { inputs: 0, connections: 0, stalled: 0, refused: 0, bytesSent: 0, bytesReceived: 0 };
}

export function addStats(into: FuzzStats, more: FuzzStats): void {
  for (const key of Object.keys(into) as (keyof FuzzStats)[]) into[key] += more[key];
}

export interface ClientPortFuzzOptions {
  host: string;
  port: number;
  random: FuzzRandom;
  corpus: GoldenCorpus;
  /** Connections open at once. */
  workers: number;
  /** Stop starting connections after this (performance.now() ms). */
  deadlineMs: number;
  /** Stop once this many inputs went out, even before the deadline. */
  inputsMax?: number;
  /** Called for every episode's first lines, so a failing one can be found in the output. */
  onEpisode?: (worker: number, episode: number) => void;
}

const SETTLE_MS = 3000;
const CLOSE_SESSION = -11;

/**
 * Fuzzes a client port over real TCP connections: each connection (an episode) sends a
 * handshake, a batch of requests (structure-aware hostile records, golden frames as captured
 * and mutated, random bytes) in chunks cut at random offsets, and one final frame that ends it
 * (closeSession, or a frame whose length the server must refuse). It then waits for the server
 * to close, and reconnects.
 */
export async function fuzzClientPort(o: ClientPortFuzzOptions): Promise<FuzzStats> {
  const stats = emptyStats();
  const done = () => performance.now() >= o.deadlineMs || (o.inputsMax !== undefined && stats.inputs >= o.inputsMax);
  await Promise.all(
    Array.from({ length: o.workers }, async (_, worker) => {
      const r = o.random.fork(worker);
      for (let episode = 0; !done(); episode++) {
        o.onEpisode?.(worker, episode);
        await runEpisode(o, r, stats);
      }
    }),
  );
  return stats;
}

/** The bytes of one episode: frames, and how many inputs they are. */
export function episodeBytes(r: FuzzRandom, corpus: GoldenCorpus): { bytes: Buffer; inputs: number } {
  const frames: Buffer[] = [];
  frames.push(frame(handshake(r, corpus)));
  const count = r.chance(0.1) ? r.between(300, 900) : r.between(10, 120);
  let xid = 1;
  for (let i = 0; i < count; i++) frames.push(frame(request(r, corpus, xid++)));
  frames.push(finalFrame(r, xid));
  return { bytes: Buffer.concat(frames), inputs: frames.length };
}

function handshake(r: FuzzRandom, corpus: GoldenCorpus): Buffer {
  const roll = r.below(100);
  if (roll < 80) return connectPayload(r);
  const golden = r.pick(corpus.connects);
  if (roll < 95) return golden;
  return roll < 98 ? mutate(r, golden, corpus.connects) : r.bytes(r.below(64));
}

function request(r: FuzzRandom, corpus: GoldenCorpus, xid: number): Buffer {
  const roll = r.below(100);
  if (roll < 45) return requestPayload(r, r.chance(0.97) ? xid : r.pick([0, -1, -2, -4, -8, 0x7fffffff, r.int32()]));
  if (roll < 60) return r.pick(corpus.requests);
  if (roll < 95) return mutate(r, r.pick(corpus.requests), corpus.requests);
  return new Bytes()
    .int(xid)
    .int(r.chance(0.5) ? r.int32() : r.between(-12, 110))
    .raw(r.bytes(r.below(48)))
    .build();
}

/** The last frame: a closeSession, or one the server must refuse by its length alone. */
function finalFrame(r: FuzzRandom, xid: number): Buffer {
  const roll = r.below(10);
  if (roll < 7) return frame(new Bytes().int(xid).int(CLOSE_SESSION).build());
  if (roll === 7) return frame(r.bytes(8), -r.between(1, 0x7fffffff));
  if (roll === 8) return frame(r.bytes(8), r.between(0x100000 + 1024, 0x7fffffff));
  // A four-letter word where a frame length belongs: only the first bytes of a connection are
  // read as one, so here it is a length of about 1.9 GB.
  return Buffer.from(r.pick(["ruok", "stat", "mntr", "dump", "kill"]), "latin1");
}

function runEpisode(o: ClientPortFuzzOptions, r: FuzzRandom, stats: FuzzStats): Promise<void> {
  const { bytes, inputs } = episodeBytes(r, o.corpus);
  const cuts = chunkCuts(r, bytes.length);
  return new Promise<void>((resolve) => {
    const socket: Socket = connect({ host: o.host, port: o.port });
    let sent = false;
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      stats.bytesReceived += chunk.length;
    });
    socket.once("connect", () => {
      stats.connections++;
      let at = 0;
      for (const cut of cuts) {
        socket.write(bytes.subarray(at, cut));
        at = cut;
      }
      sent = true;
      stats.inputs += inputs;
      stats.bytesSent += bytes.length;
      timer = setTimeout(() => {
        stats.stalled++;
        finish();
      }, SETTLE_MS);
    });
    socket.once("close", () => {
      if (!sent) stats.refused++;
      finish();
    });
  });
}

/** Where to cut the bytes into separate writes, so frames straddle TCP segments now and then. */
function chunkCuts(r: FuzzRandom, length: number): number[] {
  const cuts: number[] = [];
  const pieces = r.chance(0.3) ? r.between(2, 8) : 1;
  for (let i = 1; i < pieces; i++) cuts.push(r.below(length));
  cuts.sort((a, b) => a - b);
  cuts.push(length);
  return cuts;
}
