import { CreateRequest, GetChildrenRequest, GetChildrenResponse, GetDataRequest, GetDataResponse, OpCode, SetDataRequest, writeMultiRequest } from "@zkts/jute";
import { type RunningServer, startZkts } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

/**
 * Acknowledged writes survive kill -9. Several clients write through pipelined connections
 * while the server is SIGKILLed at seeded random moments and restarted. After each restart
 * every acknowledged write must be there with its data and version, a write that was sent but
 * not acknowledged may or may not be there, and no multi is ever half applied.
 * Replay a run with CRASH_SEED=<seed>; CRASH_ROUNDS sets how many kills.
 */
const seeds = process.env.CRASH_SEED !== undefined ? [Number(process.env.CRASH_SEED)] : [101, 202, 303];
const rounds = Number(process.env.CRASH_ROUNDS ?? 3);
const CLIENTS = 4;
const KEYS_PER_CLIENT = 3;
const IN_FLIGHT = 8;

function prng(s: number): () => number {
  let x = s | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

interface KeyState {
  path: string;
  /** Highest write number acknowledged, and every number sent so far. */
  acked: number;
  sent: number;
}

let server: RunningServer | null = null;
afterAll(async () => {
  await server?.cleanup();
});

describe(`kill -9 under write load (${rounds} rounds per seed)`, () => {
  it.each(seeds)(
    "seed %i: keeps every acknowledged write and applies multis whole",
    async (seed) => {
      console.log(`crash test seed ${seed}; replay with CRASH_SEED=${seed}`);
      const random = prng(seed);
      await server?.cleanup();
      server = await startZkts({ config: { snapCount: "200" } });
      const keys: KeyState[] = [];
      const ackedMultis: number[] = [];
      const sentMultis: number[] = [];
      {
        const setup = await RawSession.connect(server.port);
        for (let c = 0; c < CLIENTS; c++) {
          for (let k = 0; k < KEYS_PER_CLIENT; k++) {
            const path = `/crash-${c}-${k}`;
            const reply = await setup.request(OpCode.create, (w) => CreateRequest.write(w, { path, data: Buffer.from("0"), acl: OPEN_ACL, flags: 0 }));
            expect(reply.err).toBe(0);
            keys.push({ path, acked: 0, sent: 0 });
          }
        }
        await setup.request(OpCode.create, (w) => CreateRequest.write(w, { path: "/multi", data: null, acl: OPEN_ACL, flags: 0 }));
        setup.drop();
      }
      let multiCounter = 0;
      for (let round = 0; round < rounds; round++) {
        const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => RawSession.connect(server!.port)));
        let stopped = false;
        const workers = sessions.map(async (session, c) => {
          const mine = keys.slice(c * KEYS_PER_CLIENT, (c + 1) * KEYS_PER_CLIENT);
          const inFlight = new Set<Promise<void>>();
          while (!stopped && !session.closed) {
            while (inFlight.size < IN_FLIGHT && !session.closed) {
              let p: Promise<void>;
              if (random() < 0.15) {
                const m = ++multiCounter;
                sentMultis.push(m);
                p = session
                  .request(OpCode.multi, (w) =>
                    writeMultiRequest(w, [
                      { type: OpCode.create, request: { path: `/multi/a-${m}`, data: null, acl: OPEN_ACL, flags: 0 } },
                      { type: OpCode.create, request: { path: `/multi/b-${m}`, data: null, acl: OPEN_ACL, flags: 0 } },
                    ]),
                  )
                  .then((reply) => {
                    if (reply.err === 0) ackedMultis.push(m);
                  });
              } else {
                const key = mine[Math.floor(random() * mine.length)]!;
                const n = ++key.sent;
                p = session
                  .request(OpCode.setData, (w) => SetDataRequest.write(w, { path: key.path, data: Buffer.from(String(n)), version: n - 1 }))
                  .then((reply) => {
                    if (reply.err === 0 && n > key.acked) key.acked = n;
                    // A write whose predecessor never happened fails with BADVERSION: not sent.
                    if (reply.err !== 0 && reply.err !== -4) key.sent = Math.min(key.sent, n - 1);
                  });
              }
              const tracked = p.finally(() => inFlight.delete(tracked));
              inFlight.add(tracked);
              // Writes on one key are sent one at a time so each knows the version it expects.
              if (inFlight.size >= mine.length) break;
            }
            if (inFlight.size > 0) await Promise.race(inFlight);
          }
          await Promise.allSettled([...inFlight]);
        });
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(random() * 500)));
        await server.kill();
        stopped = true;
        await Promise.all(workers);
        for (const s of sessions) s.drop();
        await server.restart();

        const check = await RawSession.connect(server.port);
        for (const key of keys) {
          const reply = await check.request(OpCode.getData, (w) => GetDataRequest.write(w, { path: key.path, watch: false }));
          expect(reply.err).toBe(0);
          const { data, stat } = GetDataResponse.read(reply.body);
          const value = Number(data!.toString());
          // Acknowledged writes are never lost; unacknowledged ones may have made it.
          expect(value, `${key.path} after round ${round}`).toBeGreaterThanOrEqual(key.acked);
          expect(value).toBeLessThanOrEqual(key.sent);
          expect(stat.version).toBe(value);
          key.acked = value;
          key.sent = value;
        }
        const children = await check.request(OpCode.getChildren, (w) => GetChildrenRequest.write(w, { path: "/multi", watch: false }));
        const names = new Set(GetChildrenResponse.read(children.body).children);
        for (const m of sentMultis) {
          expect(names.has(`a-${m}`), `multi ${m} half applied`).toBe(names.has(`b-${m}`));
        }
        for (const m of ackedMultis) expect(names.has(`a-${m}`), `acknowledged multi ${m} lost`).toBe(true);
        check.drop();
      }
      const totalAcked = keys.reduce((sum, k) => sum + k.acked, 0);
      console.log(`crash test: ${rounds} kills, ${totalAcked} setData and ${ackedMultis.length} multis acknowledged and kept`);
      expect(totalAcked).toBeGreaterThan(0);
    },
    240_000,
  );
});
