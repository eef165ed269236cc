import type { ZkClient } from "@zkts/client";
import { type RunningServer, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FuzzStats, addStats, emptyStats, fuzzClientPort } from "./fuzz/client-port-fuzzer.js";
import { loadGoldenCorpus } from "./fuzz/golden-corpus.js";
import { GuardedNamespace, STEADY_PATH, SteadySession, dumpTree } from "./fuzz/namespace.js";
import { FuzzRandom, fuzzSeconds, fuzzSeed } from "./fuzz/random.js";
import { FUZZ_ROOT } from "./fuzz/requests.js";
import { isAlive, mntrValue, rssMiB } from "./fuzz/server-probe.js";

/**
 * The fuzzing tier against a standalone server: hostile frames over real TCP (seeded random
 * records, golden client traffic mutated, structure-aware requests with huge lengths and
 * counts, deep paths, invalid UTF-8, giant multis and SetWatches), while a well-behaved
 * session keeps writing and reading. Replay one run with FUZZ_SEED=<seed>; FUZZ_SECONDS makes
 * it longer.
 */

const INPUTS_MIN = 100_000;
const RSS_GROWTH_MIB_MAX = 300;

describe("fuzzing a standalone server's client port", () => {
  let server: RunningServer;
  const namespace = new GuardedNamespace();
  let admin: ZkClient;

  beforeAll(async () => {
    server = await startZkts();
    admin = await namespace.connect(server.connectString);
    await namespace.prepare(admin);
  });

  afterAll(async () => {
    await admin?.close().catch(() => undefined);
    await server?.cleanup();
  });

  it(
    `takes ${INPUTS_MIN}+ hostile inputs: stays up, bounded, and nobody else notices`,
    async () => {
      const seed = fuzzSeed();
      const seconds = fuzzSeconds(30);
      console.log(`fuzz-standalone: seed ${seed} (replay with FUZZ_SEED=${seed}), ${seconds} s`);
      const pid = server.pid!;
      const treeBefore = await dumpTree(admin, [FUZZ_ROOT, STEADY_PATH]);
      const steady = new SteadySession(await namespace.connect(server.connectString));
      steady.start();
      const rssBefore = rssMiB(pid);
      const packetsBefore = await mntrValue(server.host, server.port, "zk_packets_received");

      // The planned seconds, then more rounds (a loaded machine is slower) until the server has
      // taken the inputs this tier promises, within a hard bound.
      const startedMs = performance.now();
      const random = new FuzzRandom(seed);
      const corpus = loadGoldenCorpus();
      const hardDeadlineMs = startedMs + seconds * 4000;
      const stats: FuzzStats = emptyStats();
      for (let roundEndMs = startedMs + seconds * 1000; ; roundEndMs = Math.min(hardDeadlineMs, performance.now() + 10_000)) {
        const round = await fuzzClientPort({ host: server.host, port: server.port, random, corpus, workers: 12, deadlineMs: roundEndMs });
        addStats(stats, round);
        const taken = (await mntrValue(server.host, server.port, "zk_packets_received")) - packetsBefore;
        if (taken >= INPUTS_MIN * Math.min(1, seconds / 30) || performance.now() >= hardDeadlineMs) break;
      }
      const elapsedS = (performance.now() - startedMs) / 1000;

      const steadyReport = await steady.stop();
      const rssAfter = rssMiB(pid);
      const packets = (await mntrValue(server.host, server.port, "zk_packets_received")) - packetsBefore;
      console.log(
        `fuzz-standalone: ${packets} inputs taken by the server in ${elapsedS.toFixed(1)} s (${Math.round(packets / elapsedS)}/s; ` +
          `${stats.inputs} frames sent), ${stats.connections} connections, ${stats.stalled} stalled, ` +
          `${stats.refused} refused, ${(stats.bytesSent / 1e6).toFixed(1)} MB sent; RSS ${rssBefore} -> ${rssAfter} MiB; ` +
          `steady session: ${steadyReport.writes} writes, ${steadyReport.reads} reads`,
      );

      expect(isAlive(pid)).toBe(true);
      // Inputs the server read and handled, by its own count (frames after one that closes the
      // connection are sent but never read).
      expect(packets).toBeGreaterThanOrEqual(INPUTS_MIN * Math.min(1, seconds / 30));
      expect(stats.stalled).toBe(0);
      expect(steadyReport.failures).toEqual([]);
      expect(steadyReport.sessionEvents).toEqual([]);
      expect(steadyReport.writes).toBeGreaterThan(0);
      expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_MIB_MAX);
      expect(await dumpTree(admin, [FUZZ_ROOT, STEADY_PATH])).toEqual(treeBefore);
    },
    (fuzzSeconds(30) + 240) * 1000,
  );
});
