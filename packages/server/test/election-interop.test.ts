import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type Server, type Socket, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Framer, type QuorumPacket } from "@zkts/jute";
import { freePort } from "@zkts/testkit";
import { QuorumPacketType } from "@zkts/zab";
import { afterAll, describe, expect, it } from "vitest";
import {
  ELECTION_PROTOCOL_V1,
  NOTIFICATION_VERSION,
  QuorumPacketReader,
  type WireNotification,
  decodeInitialMessage,
  decodeLearnerInfo,
  decodeNotification,
  encodeInitialMessage,
  encodeNotification,
} from "../src/index.js";

/**
 * The election and quorum wire formats, checked against a real ZooKeeper 3.8 quorum peer.
 * The test plays server 2 of a three-server ensemble whose server 1 is Apache ZooKeeper:
 * it connects to ZooKeeper's election port, reads its vote, proposes itself with a newer
 * epoch, sees ZooKeeper switch its vote, and then accepts ZooKeeper as a follower on its
 * quorum port and decodes the FOLLOWERINFO it sends.
 */
const dir = mkdtempSync(join(tmpdir(), "zkts-fle-"));
let java: ChildProcess | null = null;
const sockets: Socket[] = [];
const servers: Server[] = [];

afterAll(() => {
  java?.kill("SIGKILL");
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listenOn(port: number, onSocket: (s: Socket) => void): Promise<void> {
  const server = createServer((s) => {
    sockets.push(s);
    onSocket(s);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen in ${ms} ms; ZooKeeper's log:\n${readLog()}`)), ms)),
  ]);
}

function readLog(): string {
  try {
    return readFileSync(join(dir, "zookeeper.log"), "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

describe("election and quorum wire formats against ZooKeeper 3.8", () => {
  it("exchange votes with a real peer and decode its FOLLOWERINFO", async () => {
    const [client1, quorum1, election1, quorum2, election2, quorum3, election3] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    writeFileSync(join(dir, "myid"), "1\n");
    writeFileSync(
      join(dir, "zoo.cfg"),
      [
        "tickTime=500",
        "initLimit=20",
        "syncLimit=10",
        `dataDir=${dir}`,
        `clientPort=${client1}`,
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
        `server.1=127.0.0.1:${quorum1}:${election1}`,
        `server.2=127.0.0.1:${quorum2}:${election2}`,
        `server.3=127.0.0.1:${quorum3}:${election3}`,
        "",
      ].join("\n"),
    );
    // Server 2's ports: the election port only needs to accept; the quorum port is where a
    // follower registers once we lead.
    await listenOn(election2!, () => {});
    const followerInfo = new Promise<QuorumPacket>((resolve) =>
      listenOn(quorum2!, (socket) => {
        const reader = new QuorumPacketReader(1 << 20);
        socket.on("data", (chunk: Buffer) => reader.push(chunk, resolve));
      }),
    );
    java = spawn(
      "java",
      [
        "-Xms16m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dzookeeper.jmx.log4j.disable=true",
        "-cp",
        "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        join(dir, "zoo.cfg"),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    java.stderr!.on("data", (chunk: Buffer) => writeFileSync(join(dir, "zookeeper.log"), chunk, { flag: "a" }));

    // Connect to ZooKeeper's election port as server 2 (the larger id keeps the connection).
    const socket = await within(30_000, "connecting to ZooKeeper's election port", connectWhenListening(election1!));
    sockets.push(socket);
    socket.write(encodeInitialMessage({ protocolVersion: ELECTION_PROTOCOL_V1, sid: 2n, electionAddress: `127.0.0.1:${election2}` }));
    const notifications: WireNotification[] = [];
    let notify: () => void = () => {};
    const framer = new Framer(512 * 1024);
    socket.on("data", (chunk: Buffer) =>
      framer.push(chunk, (payload) => {
        notifications.push(decodeNotification(Buffer.from(payload)));
        notify();
      }),
    );
    const next = (predicate: (n: WireNotification) => boolean, what: string) =>
      within(
        30_000,
        what,
        new Promise<WireNotification>((resolve) => {
          const check = () => {
            const found = notifications.find(predicate);
            if (found !== undefined) resolve(found);
          };
          notify = check;
          check();
        }),
      );

    const first = await next((n) => n.state === 0, "ZooKeeper's first vote");
    expect(first).toMatchObject({ state: 0, leader: 1n, peerEpoch: 0n, version: NOTIFICATION_VERSION });
    expect(first.config).toContain(`server.2=127.0.0.1:${quorum2}:${election2}`);

    // Propose ourselves with a newer epoch: ZooKeeper's vote order (peer epoch first) must
    // make it switch to server 2 and tell us.
    socket.write(
      encodeNotification({
        state: 0,
        leader: 2n,
        zxid: (1n << 32n) | 5n,
        electionEpoch: first.electionEpoch,
        peerEpoch: 1n,
        version: NOTIFICATION_VERSION,
        config: first.config,
      }),
    );
    const switched = await next((n) => n.leader === 2n, "ZooKeeper switching its vote to server 2");
    expect(switched).toMatchObject({ leader: 2n, zxid: (1n << 32n) | 5n, peerEpoch: 1n, electionEpoch: first.electionEpoch });

    // With two of three votes for server 2 ZooKeeper follows it, and registers on our quorum port.
    const packet = await within(30_000, "ZooKeeper's FOLLOWERINFO", followerInfo);
    expect(packet.type).toBe(QuorumPacketType.FOLLOWERINFO);
    const info = decodeLearnerInfo(packet.data);
    expect(info.serverid).toBe(1n);
    expect(info.protocolVersion).toBe(0x10000);
  }, 90_000);
});

async function connectWhenListening(port: number): Promise<Socket> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => resolve(s));
      s.once("error", () => resolve(null));
    });
    if (socket !== null) return socket;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

describe("initial message", () => {
  it("round-trips and waits for missing bytes", () => {
    const bytes = encodeInitialMessage({ protocolVersion: ELECTION_PROTOCOL_V1, sid: 7n, electionAddress: "10.1.2.3:3888" });
    expect(decodeInitialMessage(bytes.subarray(0, 10))).toBeNull();
    expect(decodeInitialMessage(bytes)).toEqual({
      message: { protocolVersion: ELECTION_PROTOCOL_V1, sid: 7n, electionAddress: "10.1.2.3:3888" },
      length: bytes.length,
    });
  });
});
