import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { parseProperties } from "../src/properties.js";
import { configFromProperties } from "../src/zoo-cfg.js";

/** metricsProvider.* in zoo.cfg: what is served, what is accepted, and what stops the server. */

const PROMETHEUS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

function parse(lines: string): ReturnType<typeof configFromProperties> {
  return configFromProperties(parseProperties(`tickTime=2000\ndataDir=/tmp/zkts-metrics-cfg\nclientPort=2181\n${lines}`), "/tmp");
}

describe("metricsProvider keys", () => {
  it("serves the Prometheus provider with ZooKeeper's defaults (0.0.0.0:7000, process metrics on)", () => {
    const parsed = parse(`metricsProvider.className=${PROMETHEUS}\n`);
    expect(parsed.prometheus).toEqual({ host: "0.0.0.0", port: 7000, exportProcessMetrics: true });
    expect(parsed.ignoredKeys).toEqual([]);
  });

  it("reads httpHost, httpPort and exportJvmInfo, and accepts the provider's JVM tuning keys", () => {
    const parsed = parse(
      `metricsProvider.className=${PROMETHEUS}\nmetricsProvider.httpHost=127.0.0.1\nmetricsProvider.httpPort=7001\n` +
        "metricsProvider.exportJvmInfo=false\nmetricsProvider.numWorkerThreads=2\nmetricsProvider.workerShutdownTimeoutMs=500\n",
    );
    expect(parsed.prometheus).toEqual({ host: "127.0.0.1", port: 7001, exportProcessMetrics: false });
    expect(parsed.ignoredKeys).toEqual([]);
  });

  it("serves nothing for the default provider, or without a className (the other keys are then ignored, as ZooKeeper ignores them)", () => {
    expect(parse("metricsProvider.className=org.apache.zookeeper.metrics.impl.DefaultMetricsProvider\n").prometheus).toBeNull();
    const without = parse("metricsProvider.httpPort=7001\n");
    expect(without.prometheus).toBeNull();
    expect(without.ignoredKeys).toEqual(["metricsProvider.httpPort"]);
  });
});

describe("zkts-server command with a bad metricsProvider setting", () => {
  const main = join(repoRoot, "apps/server/dist/main.js");
  const run = promisify(execFile);

  async function refusal(lines: string): Promise<{ code: number; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), "zkts-cfg-"));
    writeFileSync(join(dir, "zoo.cfg"), `tickTime=2000\ndataDir=${dir}\nclientPort=0\nclientPortAddress=127.0.0.1\n${lines}`);
    return await run(process.execPath, [main, "--config", join(dir, "zoo.cfg")], { timeout: 20_000 }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
  }

  const cases: [string, string][] = [
    [
      "metricsProvider.className=com.example.StatsdMetricsProvider\n",
      `zkts-server: metricsProvider.className: zkts serves ${PROMETHEUS} (or the default provider), not "com.example.StatsdMetricsProvider"\n`,
    ],
    [
      `metricsProvider.className=${PROMETHEUS}\nmetricsProvider.httpPort=seven\n`,
      'zkts-server: metricsProvider.httpPort: expected a port number (0-65535), got "seven"\n',
    ],
    [
      `metricsProvider.className=${PROMETHEUS}\nmetricsProvider.exportJvmInfo=maybe\n`,
      'zkts-server: metricsProvider.exportJvmInfo: expected true or false, got "maybe"\n',
    ],
    [
      `metricsProvider.className=${PROMETHEUS}\nmetricsProvider.httpsPort=7443\n`,
      "zkts-server: metricsProvider.httpsPort: HTTPS for the metrics endpoint is not supported by zkts yet; refusing to start rather than serve metrics over plain HTTP\n",
    ],
    [
      `metricsProvider.className=${PROMETHEUS}\nmetricsProvider.httpport=7001\n`,
      "zkts-server: metricsProvider.httpport: not a setting of the Prometheus metrics provider (httpHost, httpPort, exportJvmInfo)\n",
    ],
  ];

  for (const [lines, message] of cases) {
    it(`exits with status 2 and one line for ${lines.trim().split("\n").at(-1)}`, async () => {
      const failure = await refusal(lines);
      expect(failure.code).toBe(2);
      expect(failure.stderr).toBe(message);
    });
  }
});
