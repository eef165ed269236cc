import { once } from "node:events";
import { connect } from "node:net";
import {
  CreateMode,
  CreateRequest,
  ExistsRequest,
  Framer,
  GetDataRequest,
  JuteReader,
  JuteWriter,
  OpCode,
  ReplyHeader,
  RequestHeader,
  writeConnectRequest,
} from "@zkts/jute";
import { type RunningServer, fourLetterWord, freePort, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Recorder } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

/** Operating the server: four-letter words, the AdminServer, connection limits, reaping, shutdown. */
let server: RunningServer;
let adminPort: number;

beforeAll(async () => {
  adminPort = await freePort();
  server = await startZkts({
    tickTime: 200,
    config: {
      "admin.enableServer": "true",
      "admin.serverPort": String(adminPort),
      "admin.serverAddress": "127.0.0.1",
      maxClientCnxns: "8",
      extendedTypesEnabled: "true",
      "znode.container.checkIntervalMs": "100",
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.cleanup();
});

describe("four-letter words", () => {
  it("answers ruok, srvr, mntr, conf, cons, wchs and envi", async () => {
    const s = await RawSession.connect(server.port);
    await s.request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/", watch: true }));
    expect(await fourLetterWord(server.host, server.port, "ruok")).toBe("imok");
    const srvr = await fourLetterWord(server.host, server.port, "srvr");
    expect(srvr).toMatch(/^Zookeeper version: 3\.8\.0-zkts/);
    expect(srvr).toContain("Mode: standalone");
    expect(srvr).toMatch(/Node count: \d+/);
    const mntr = await fourLetterWord(server.host, server.port, "mntr");
    expect(mntr).toContain("zk_server_state\tstandalone\n");
    expect(mntr).toMatch(/zk_znode_count\t\d+\n/);
    expect(mntr).toMatch(/zk_num_alive_connections\t[1-9]\d*\n/);
    expect(await fourLetterWord(server.host, server.port, "conf")).toContain(`clientPort=${server.port}`);
    expect(await fourLetterWord(server.host, server.port, "cons")).toContain(`sid=0x${s.sessionId.toString(16)}`);
    expect(await fourLetterWord(server.host, server.port, "wchs")).toMatch(/1 connections watching 1 paths\nTotal watches:1/);
    expect(await fourLetterWord(server.host, server.port, "wchc")).toContain(`0x${s.sessionId.toString(16)}\n\t/`);
    expect(await fourLetterWord(server.host, server.port, "envi")).toContain("Environment:");
    expect(await fourLetterWord(server.host, server.port, "isro")).toBe("rw");
    s.drop();
  });
});

describe("AdminServer", () => {
  it("serves /commands/<name> as JSON, long names included", async () => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/commands/monitor`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.command).toBe("mntr");
    expect(body.error).toBeNull();
    expect(body.zk_server_state).toBe("standalone");
    expect(typeof body.zk_znode_count).toBe("number");
    const ruok = (await (await fetch(`http://127.0.0.1:${adminPort}/commands/ruok`)).json()) as Record<string, unknown>;
    expect(ruok).toEqual({ command: "ruok", error: null });
    const missing = await fetch(`http://127.0.0.1:${adminPort}/commands/nosuch`);
    expect(missing.status).toBe(404);
  });
});

describe("limits", () => {
  it("closes connections from one address beyond maxClientCnxns, keeping the others", async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => RawSession.connect(server.port)));
    const extra = connect(server.port, "127.0.0.1");
    await once(extra, "close");
    const reply = await sessions[0]!.request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/", watch: false }));
    expect(reply.err).toBe(0);
    for (const s of sessions) s.drop();
    // The server learns of the drops asynchronously; wait until it takes a connection again.
    for (let attempt = 0; attempt < 50; attempt++) {
      const cons = await fourLetterWord(server.host, server.port, "cons").catch(() => "");
      if (cons !== "" && cons.split("\n").filter((l) => l.includes("queued=")).length < 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it("answers thousands of pipelined requests on one connection in order", async () => {
    const s = await RawSession.connect(server.port);
    const count = 5000;
    const replies = await Promise.all(
      Array.from({ length: count }, () => s.request(OpCode.getData, (w) => GetDataRequest.write(w, { path: "/zookeeper", watch: false }))),
    );
    expect(replies.map((r) => r.err)).toEqual(new Array(count).fill(0));
    expect(replies.map((r) => r.xid)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    s.drop();
  });
});

describe("requests sent right behind the handshake", () => {
  it("are answered once the new session exists, in order", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await once(socket, "connect");
    const w = new JuteWriter();
    w.beginFrame();
    writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16) }, false);
    w.endFrame();
    for (let xid = 1; xid <= 3; xid++) {
      w.beginFrame();
      RequestHeader.write(w, { xid, type: OpCode.create });
      CreateRequest.write(w, { path: `/early-${xid}`, data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 1 });
      w.endFrame();
    }
    // One write: the handshake and the three creates reach the server in a single chunk.
    socket.write(w.toBuffer());
    const frames: Buffer[] = [];
    const framer = new Framer();
    await new Promise<void>((resolve) => {
      socket.on("data", (chunk: Buffer) =>
        framer.push(chunk, (payload) => {
          frames.push(Buffer.from(payload));
          if (frames.length === 4) resolve();
        }),
      );
    });
    socket.destroy();
    const replies = frames.slice(1).map((f) => ReplyHeader.read(new JuteReader(f)));
    expect(replies.map((r) => [r.xid, r.err])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });
});

describe("containers and TTL nodes", () => {
  it("removes a container once its last child is gone and a TTL node once its time passes", async () => {
    const r = new Recorder(server.port);
    await r.open("A");
    await r.createContainer("A", "/box", null);
    await r.create("A", "/box/item", null);
    await r.createTTL("A", "/ttl", null, CreateMode.PERSISTENT_WITH_TTL, 300n);
    await r.createContainer("A", "/never-used", null);
    await r.delete("A", "/box/item");
    const deadline = Date.now() + 10_000;
    let boxGone = false;
    let ttlGone = false;
    while ((!boxGone || !ttlGone) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      boxGone = (await r.exists("A", "/box")).err !== 0;
      ttlGone = (await r.exists("A", "/ttl")).err !== 0;
    }
    expect(boxGone).toBe(true);
    expect(ttlGone).toBe(true);
    expect((await r.exists("A", "/never-used")).err).toBe(0);
    await r.finish();
  });
});

describe("shutdown", () => {
  it("closes its client connections and stops on SIGTERM", async () => {
    const other = await startZkts();
    const s = await RawSession.connect(other.port);
    await other.stop();
    await s.whenClosed();
    expect(s.closed).toBe(true);
    await other.cleanup();
  });
});
