import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type ZkClient } from "@zkts/client";
import { fourLetterWord } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LinkScope, Target } from "../src/cluster/cluster.js";
import { type ContainerCluster, startContainerCluster } from "../src/cluster/containers.js";
import { ensureDockerEngine } from "../src/containers/docker-engine.js";
import { ensureLabImages, type LabImages } from "../src/containers/images.js";
import { MEMBER_LABEL, RUN_LABEL, dockerode } from "../src/containers/run-resources.js";

/**
 * Ensembles in containers, every link through the Toxiproxy container: the same start on zkts
 * and on ZooKeeper 3.8; on zkts the faults the driver offers (kill -9 and restart of the same
 * container, the freezer, a silent partition through the mesh, leaving the network). Docker must run here: when it
 * cannot, these tests fail with the reason rather than skip.
 */
const SEED = 7;
const HEALTHY_MS = 60_000;

let images: LabImages;
beforeAll(async () => {
  await ensureDockerEngine();
  images = await ensureLabImages();
}, 300_000);

async function start(target: Target): Promise<ContainerCluster> {
  const cluster = await startContainerCluster({ target, voters: 3, seed: SEED, images });
  const t = cluster.startTimes;
  const members = [...t.membersMs].map(([id, ms]) => `zk${id} ${Math.round(ms)} ms`).join(", ");
  process.stdout.write(`${target} in containers: toxiproxy ${Math.round(t.toxiproxyMs)} ms, members ${members}, started in ${Math.round(t.totalMs)} ms\n`);
  return cluster;
}

/** A client on one member only, through that member's client proxy. */
async function clientOf(cluster: ContainerCluster, member: number): Promise<ZkClient> {
  const client = createClient(cluster.clientAddress(member), { sessionTimeoutMs: 10_000 });
  await client.ready();
  return client;
}

async function withClient<T>(cluster: ContainerCluster, member: number, use: (client: ZkClient) => Promise<T>): Promise<T> {
  const client = await clientOf(cluster, member);
  try {
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function readThrough(cluster: ContainerCluster, member: number, path: string): Promise<string> {
  return await withClient(cluster, member, async (client) => {
    await client.sync(path);
    return (await client.getData(path)).data.toString();
  });
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function leftovers(runId: string): Promise<{ containers: number; networks: number }> {
  const engine = await dockerode();
  const label = { label: [`${RUN_LABEL}=${runId}`] };
  return {
    containers: (await engine.listContainers({ all: true, filters: label })).length,
    networks: (await engine.listNetworks({ filters: label })).length,
  };
}

describe("a zkts ensemble in containers", () => {
  let cluster: ContainerCluster;
  let leader: number;

  beforeAll(async () => {
    cluster = await start("zkts");
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("elects a leader; a write through one member's client proxy is read through another", async () => {
    await cluster.waitHealthy(HEALTHY_MS);
    leader = (await cluster.leader())!;
    expect(cluster.members).toContain(leader);
    const [writer, reader] = cluster.members.filter((m) => m !== leader) as [number, number];
    await withClient(cluster, writer, (c) => c.create("/written-through-a-follower", "one"));
    expect(await readThrough(cluster, reader, "/written-through-a-follower")).toBe("one");
    expect(await readThrough(cluster, leader, "/written-through-a-follower")).toBe("one");
  }, 120_000);

  it("elects a new leader after kill -9 of the leader; the same container restarts with its data", async () => {
    const old = leader;
    await cluster.kill(old, "SIGKILL");
    expect(cluster.isRunning(old)).toBe(false);
    await cluster.waitHealthy(HEALTHY_MS);
    const next = (await cluster.leader())!;
    expect(next).not.toBe(old);
    await withClient(cluster, next, (c) => c.create("/written-without-the-old-leader", "two"));

    await cluster.start(old);
    await cluster.waitHealthy(HEALTHY_MS);
    expect(await readThrough(cluster, old, "/written-through-a-follower")).toBe("one");
    expect(await readThrough(cluster, old, "/written-without-the-old-leader")).toBe("two");
    // Its second start recovered the log it wrote before the kill: the container's disk was kept.
    const logs = await mkdtemp(join(tmpdir(), "zkts-lab-logs-"));
    try {
      await cluster.collectLogs(logs);
      const recoveries = (await readFile(join(logs, `zk${old}.log`), "utf8")).split("\n").filter((l) => l.includes("recovered replica state"));
      expect(recoveries).toHaveLength(2);
      expect(JSON.parse(recoveries[1]!)).not.toMatchObject({ snapshotZxid: "0x0", logEntries: 0 });
    } finally {
      await rm(logs, { recursive: true, force: true });
    }
    leader = next;
  }, 180_000);

  it("a paused member answers nothing until it is resumed, while the others go on", async () => {
    const frozen = cluster.members.find((m) => m !== leader)!;
    await cluster.pause(frozen);
    try {
      const [host, port] = cluster.clientAddress(frozen).split(":") as [string, string];
      await expect(fourLetterWord(host, Number(port), "srvr", 1500)).rejects.toThrow();
      expect(cluster.isRunning(frozen)).toBe(true);
      const other = cluster.members.find((m) => m !== frozen && m !== leader)!;
      await withClient(cluster, other, (c) => c.create("/written-while-one-is-frozen", "three"));
    } finally {
      await cluster.resume(frozen);
    }
    await cluster.waitHealthy(HEALTHY_MS);
    expect(await readThrough(cluster, frozen, "/written-while-one-is-frozen")).toBe("three");
  }, 120_000);

  it("a silent partition through the mesh isolates the leader, which stops serving until the heal", async () => {
    const isolated = (await cluster.leader())!;
    const scopes: LinkScope[] = cluster.members
      .filter((m) => m !== isolated)
      .flatMap((m) => [
        { kind: "peer", link: { from: isolated, to: m } },
        { kind: "peer", link: { from: m, to: isolated } },
      ]);
    await cluster.links.add(scopes, { type: "timeout", timeoutMs: 0 }, "both");
    await eventually("the isolated leader stops serving", 30_000, async () => ((await cluster.mode(isolated)) === null ? true : null));
    const successor = await eventually("the majority elects a leader", 30_000, async () => {
      const l = await cluster.leader();
      return l !== null && l !== isolated ? l : null;
    });
    await withClient(cluster, successor, (c) => c.create("/written-across-a-partition", "four"));

    await cluster.links.healAll();
    await cluster.waitHealthy(HEALTHY_MS);
    expect(await cluster.mode(isolated)).not.toBeNull();
    expect(await readThrough(cluster, isolated, "/written-across-a-partition")).toBe("four");
  }, 180_000);

  it("a member taken off the network stops serving, and serves again once it is back", async () => {
    await cluster.waitHealthy(HEALTHY_MS);
    const leaderNow = await cluster.leader();
    const cut = cluster.members.find((m) => m !== leaderNow)!;
    await cluster.disconnect(cut);
    try {
      await eventually("the disconnected member stops serving", 30_000, async () => ((await cluster.mode(cut)) === null ? true : null));
    } finally {
      await cluster.reconnect(cut);
    }
    await cluster.waitHealthy(HEALTHY_MS);
    expect(await readThrough(cluster, cut, "/written-across-a-partition")).toBe("four");
  }, 120_000);

  it("reports a member whose container stops without the lab asking, and stops waiting for health", async () => {
    const victim = cluster.members.find((m) => m !== leader)!;
    const engine = await dockerode();
    const [found] = await engine.listContainers({ filters: { label: [`${RUN_LABEL}=${cluster.runId}`, `${MEMBER_LABEL}=${victim}`] } });
    await engine.getContainer(found!.Id).kill({ signal: "SIGKILL" });
    await eventually("the crash is noticed", 10_000, async () => (cluster.isRunning(victim) ? null : true));
    expect(cluster.crashes()).toEqual([`zk${victim} exited with code 137 (see logs/zk${victim}.log)`]);
    await expect(cluster.waitHealthy(HEALTHY_MS)).rejects.toThrow(`zk${victim} exited with code 137`);
    await cluster.start(victim);
    await cluster.waitHealthy(HEALTHY_MS);
  }, 120_000);

  it("leaves no container or network of the run after close", async () => {
    expect(await leftovers(cluster.runId)).toEqual({ containers: 4, networks: 1 });
    await cluster.close();
    expect(await leftovers(cluster.runId)).toEqual({ containers: 0, networks: 0 });
  }, 60_000);
});

describe("a ZooKeeper 3.8 ensemble in containers", () => {
  it("elects a leader; a write through one member is read through another; nothing is left after close", async () => {
    const cluster = await start("zookeeper");
    try {
      await cluster.waitHealthy(HEALTHY_MS);
      const leader = (await cluster.leader())!;
      const [writer, reader] = cluster.members.filter((m) => m !== leader) as [number, number];
      await withClient(cluster, writer, (c) => c.create("/written-through-a-follower", "one"));
      expect(await readThrough(cluster, reader, "/written-through-a-follower")).toBe("one");
    } finally {
      await cluster.close();
    }
    expect(await leftovers(cluster.runId)).toEqual({ containers: 0, networks: 0 });
  }, 240_000);
});
