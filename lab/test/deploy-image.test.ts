import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type ZkClient } from "@zkts/client";
import { fourLetterWord, zktsServerNodeFlags } from "@zkts/testkit";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswersSrvr } from "../src/containers/answers-srvr.js";
import { demultiplex } from "../src/containers/member-container.js";
import { ensureDockerEngine } from "../src/containers/docker-engine.js";
import { type Dockerode, dockerode, removeRun, runLabels } from "../src/containers/run-resources.js";
import { ensureServerImage } from "../src/containers/server-image.js";
import { composeServices, kubernetesObjects, ofKind, statefulSetContainer } from "./deploy-files-support.js";

/**
 * The operators' image (deploy/docker/Dockerfile, built FROM the lab's offline node base with
 * the build argument an operator without a registry would use), run as operators run it:
 * a 3-member ensemble from the compose file's ZOO_* variables alone on a network this test
 * makes (no zoo.cfg supplied), a zoo.cfg mounted at /conf taking precedence over the variables,
 * the StatefulSet's command deriving myid from the pod's ordinal, the HEALTHCHECK, and SIGTERM
 * draining a member to exit status 0 with its data kept. Docker must run here: when it cannot,
 * this fails with the reason rather than skip.
 */
const CLIENT_PORT = 2181;
const SIGTERM_EXIT_MS_MAX = 5_000;
const SERVING_MS_MAX = 30_000;

let image: string;
let engine: Dockerode;
const { runId, labels } = runLabels();
const network = `zkts-deploy-${runId}`;

beforeAll(async () => {
  // No registry is reachable for testcontainers' Ryuk image; the run's labels clean up instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  await ensureDockerEngine();
  const built = await ensureServerImage();
  process.stdout.write(`server image: ${built.builds.map((b) => `${b.tag} ${b.cached ? "cached" : "built"} in ${b.ms} ms`).join("; ")}\n`);
  image = built.tag;
  engine = await dockerode();
  await engine.createNetwork({ Name: network, Driver: "bridge", CheckDuplicate: true, Labels: labels });
}, 300_000);

afterAll(async () => {
  await removeRun(runId);
}, 60_000);

function container(alias: string, env: Record<string, string>): GenericContainer {
  return (
    new GenericContainer(image)
      .withNetworkMode(network)
      // testcontainers starts a container with aliases on the default bridge, then joins it to
      // this network: a hostname would resolve (through /etc/hosts) to the bridge address, where
      // peers do not dial. The alias resolves through the network's DNS, as in compose.
      .withNetworkAliases(alias)
      .withLabels(labels)
      .withEnvironment(env)
      .withExposedPorts(CLIENT_PORT)
  );
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** `srvr`'s Mode line through the published client port, once the member serves. */
async function servingMode(port: number): Promise<string | null> {
  const mode = /^Mode: (\w+)/m.exec(await fourLetterWord("127.0.0.1", port, "srvr", 1000))?.[1];
  return mode === "leader" || mode === "follower" || mode === "standalone" ? mode : null;
}

async function withClient<T>(port: number, use: (client: ZkClient) => Promise<T>): Promise<T> {
  const client = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 10_000 });
  try {
    await client.ready();
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function exec(started: StartedTestContainer, command: string[]): Promise<string> {
  const result = await started.exec(command);
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} exited ${result.exitCode}: ${result.output}`);
  return result.output;
}

describe("the zkts image as a 3-member ensemble from the compose file's variables", () => {
  const members = new Map<string, StartedTestContainer>();

  beforeAll(async () => {
    const services = composeServices();
    const started = await Promise.all(
      services.map((s) =>
        container(s.hostname ?? s.name, s.environment)
          .withWaitStrategy(new AnswersSrvr(CLIENT_PORT))
          .withStartupTimeout(SERVING_MS_MAX)
          .start(),
      ),
    );
    services.forEach((s, i) => members.set(s.name, started[i]!));
    const modes = await Promise.all(started.map((m) => eventually("member serving", SERVING_MS_MAX, () => servingMode(m.getMappedPort(CLIENT_PORT)))));
    expect(modes.sort()).toEqual(["follower", "follower", "leader"]);
  }, 120_000);

  it("wrote each member's zoo.cfg and myid from the variables, and runs it unprivileged", async () => {
    const zk2 = members.get("zk2")!;
    const config = await exec(zk2, ["cat", "/conf/zoo.cfg"]);
    expect(config).toMatch(/^server\.1=zk1:2888:3888;2181$/m);
    expect(config).toMatch(/^server\.3=zk3:2888:3888;2181$/m);
    expect(config).toMatch(/^dataDir=\/data$/m);
    expect(config).toMatch(/^dataLogDir=\/datalog$/m);
    expect(config).toMatch(/^clientPort=2181$/m);
    expect((await exec(zk2, ["cat", "/data/myid"])).trim()).toBe("2");
    expect((await exec(zk2, ["id", "-u"])).trim()).toBe("1000");
  });

  it("takes a write on one member and serves it from another", async () => {
    const value = `written through zk1 in run ${runId}`;
    await withClient(members.get("zk1")!.getMappedPort(CLIENT_PORT), (c) => c.create("/deploy", Buffer.from(value)));
    const read = await withClient(members.get("zk3")!.getMappedPort(CLIENT_PORT), async (c) => {
      await c.sync("/deploy");
      return (await c.getData("/deploy")).data.toString();
    });
    expect(read).toBe(value);
  });

  it("reports healthy through its HEALTHCHECK (ruok)", async () => {
    const id = members.get("zk1")!.getId();
    const health = (await engine.getContainer(id).inspect()).Config.Healthcheck;
    expect(health?.Test).toEqual(["CMD", "zkts-4lw", "ruok", "imok"]);
    // The engine runs the first check one interval (10 s) after the start.
    const status = await eventually("healthy", 40_000, async () => {
      const s = (await engine.getContainer(id).inspect()).State.Health?.Status;
      if (s === "unhealthy") throw new Error("unhealthy");
      return s === "healthy" ? s : null;
    });
    expect(status).toBe("healthy");
  }, 60_000);

  it("drains on SIGTERM: exit status 0 within seconds, its data kept for the next start", async () => {
    const zk3 = engine.getContainer(members.get("zk3")!.getId());
    const begun = performance.now();
    const stopped = zk3.wait({ condition: "not-running" });
    await zk3.kill({ signal: "SIGTERM" });
    // A member that ignores SIGTERM (a shell left as the first process would) is killed after
    // twice the bound, so the test fails on the time rather than hanging.
    const exited = await Promise.race([stopped.then(() => true), sleep(2 * SIGTERM_EXIT_MS_MAX).then(() => false)]);
    if (!exited) await zk3.kill({ signal: "SIGKILL" }).then(() => stopped);
    const exitMs = Math.round(performance.now() - begun);
    const state = (await zk3.inspect()).State;
    process.stdout.write(`zk3 exited ${state.ExitCode} ${exitMs} ms after SIGTERM\n`);
    expect(state.ExitCode).toBe(0);
    expect(exitMs).toBeLessThan(SIGTERM_EXIT_MS_MAX);
    const log = demultiplex((await zk3.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer).toString();
    expect(log).toMatch(/"message":"shutting down","signal":"SIGTERM"/);
    // The two members left are a quorum and take a write.
    await withClient(members.get("zk2")!.getMappedPort(CLIENT_PORT), (c) => c.setData("/deploy", Buffer.from("after zk3 stopped"), -1));
    // The same container again: it rejoins from its own data directory and catches up.
    await zk3.start();
    const port = Number((await zk3.inspect()).NetworkSettings.Ports[`${CLIENT_PORT}/tcp`]?.[0]?.HostPort);
    await eventually("zk3 serving again", SERVING_MS_MAX, () => servingMode(port));
    const read = await withClient(port, async (c) => {
      await c.sync("/deploy");
      return (await c.getData("/deploy")).data.toString();
    });
    expect(read).toBe("after zk3 stopped");
  }, 60_000);
});

describe("the zkts image with a zoo.cfg of the operator's", () => {
  it("serves from the mounted /conf/zoo.cfg and ignores the ZOO_* variables", async () => {
    const ownConfig = ["tickTime=1500", "dataDir=/data", "clientPort=2191", "4lw.commands.whitelist=*", "admin.enableServer=false", ""].join("\n");
    const started = await new GenericContainer(image)
      .withNetworkMode(network)
      .withLabels(labels)
      .withEnvironment({ ZOO_TICK_TIME: "4000", ZOO_SERVERS: "server.1=elsewhere:2888:3888;2181 server.2=nowhere:2888:3888;2181" })
      .withCopyContentToContainer([{ content: ownConfig, target: "/conf/zoo.cfg", mode: 0o644 }])
      .withExposedPorts(2191)
      .withWaitStrategy(new AnswersSrvr(2191))
      .withStartupTimeout(SERVING_MS_MAX)
      .start();
    try {
      const port = started.getMappedPort(2191);
      expect(await eventually("serving", SERVING_MS_MAX, () => servingMode(port))).toBe("standalone");
      const conf = await fourLetterWord("127.0.0.1", port, "conf");
      expect(conf).toMatch(/^tickTime=1500$/m);
      expect(conf).toMatch(/^clientPort=2191$/m);
      // Left as the operator wrote it.
      expect(await exec(started, ["cat", "/conf/zoo.cfg"])).toBe(ownConfig);
      // The health probe finds the port in that file.
      expect((await exec(started, ["zkts-4lw", "ruok", "imok"])).trim()).toBe("imok");
    } finally {
      await started.stop();
    }
  }, 60_000);
});

describe("the StatefulSet's command in the image", () => {
  it("derives myid from the pod's ordinal and the member list from the replica count", async () => {
    const { command, env } = statefulSetContainer(ofKind(kubernetesObjects(), "StatefulSet")[0]!);
    // The third pod: zkts-2. Its peers do not exist here; only what it writes is looked at.
    const started = await new GenericContainer(image)
      .withNetworkMode(network)
      .withLabels(labels)
      .withHostname("zkts-2")
      .withEnvironment(env)
      .withEntrypoint([command[0]!])
      .withCommand(command.slice(1))
      .start();
    try {
      const config = await eventually("zoo.cfg written", 10_000, async () => {
        const text = await exec(started, ["cat", "/conf/zoo.cfg"]);
        return text.length > 0 ? text : null;
      });
      expect((await exec(started, ["cat", "/data/myid"])).trim()).toBe("3");
      const servers = config.split("\n").filter((l) => l.startsWith("server."));
      expect(servers).toEqual([0, 1, 2].map((i) => `server.${i + 1}=zkts-${i}.zkts-headless:2888:3888;2181`));
      expect(config).toMatch(/^quorumListenOnAllIPs=true$/m);
      // exec'd twice (the entrypoint, then the launcher's sh line): the server, with its V8
      // flags, not a shell, is the container's first process.
      const argv = (await exec(started, ["cat", "/proc/1/cmdline"])).split("\0");
      expect(argv.slice(0, -1)).toEqual(["node", ...zktsServerNodeFlags(), "/usr/local/bin/zkts-server", "--config", "/conf/zoo.cfg"]);
    } finally {
      await started.stop();
    }
  }, 60_000);
});
