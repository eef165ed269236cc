/**
 * A few seconds of the restart benchmark (npm run bench:restart) on both servers: a small fill
 * through pipelined sessions, a SIGKILL and restart timed to the first answered read, and the
 * RSS figures read from /proc. It checks the measuring itself (every create acknowledged, the
 * read after the restart finds the filled tree, figures in range), not how fast either server is.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { BENCH_ROOT, fill, fillPaths, pidOf, readOnce, restartAndTime, rssMb } from "../src/restart-bench.js";

const ZNODES = 2000;
const running: RunningServer[] = [];
afterAll(async () => {
  for (const server of running.splice(0)) await server.cleanup();
});

describe("restart benchmark, small", () => {
  it("lists parents before their children", () => {
    const paths = fillPaths({ znodes: 5, fanOut: 2 });
    expect(paths).toEqual([
      BENCH_ROOT,
      `${BENCH_ROOT}/b00000`,
      `${BENCH_ROOT}/b00001`,
      `${BENCH_ROOT}/b00002`,
      `${BENCH_ROOT}/b00000/n0000000`,
      `${BENCH_ROOT}/b00000/n0000001`,
      `${BENCH_ROOT}/b00001/n0000002`,
      `${BENCH_ROOT}/b00001/n0000003`,
      `${BENCH_ROOT}/b00002/n0000004`,
    ]);
  });

  for (const kind of ["reference", "zkts"] as const) {
    it(`fills, kills and restarts ${kind}, timing the first read`, async () => {
      const server = kind === "reference" ? await startReferenceZooKeeper({ jvmFlags: ["-Xmx256m"] }) : await startZkts();
      running.push(server);
      const filled = await fill(server, { znodes: ZNODES, dataSize: 100, fanOut: 500, clients: 2, outstanding: 64 });
      expect(filled.errors).toBe(0);
      expect(filled.elapsedMs).toBeGreaterThan(0);
      expect(await rssMb(pidOf(server))).toBeGreaterThan(10);
      const restart = await restartAndTime(server, "kill", 0, 60_000);
      expect(restart.servingMs).toBeGreaterThan(0);
      expect(restart.rssSettledMb).toBeGreaterThan(10);
      // The last leaf survived the SIGKILL: every create was acknowledged, so it was logged.
      expect(await readOnce(server.host, server.port, `${BENCH_ROOT}/b00003/n0001999`, 5000)).toBe(true);
      expect(await readOnce(server.host, server.port, `${BENCH_ROOT}/b00003/n0002000`, 5000)).toBe(false);
    });
  }
});
