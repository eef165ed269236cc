import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as dial } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { Framer, JuteWriter, readConnectResponse, writeConnectRequest } from "@zkts/jute";
import { type EnsembleOptions, type RunningEnsemble, fourLetterWord, runKazoo, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { describe, expect, it } from "vitest";

/**
 * Read-only mode (readonlymode.enabled). Two of three members are SIGKILLed; the survivor, cut
 * off from a quorum, serves the clients that said they can be read-only: reads of what it last
 * applied, NOTREADONLY for every write, sessions of its own. Clients that cannot be read-only,
 * and sessions made through the leader before, have their connections closed. When the other
 * members come back the read-only clients end up on read-write sessions and can write. The
 * scenario runs on ZooKeeper 3.8 and on zkts, and zkts must be seen to do what ZooKeeper did.
 */

type Kind = "reference" | "zkts";

const CONFIG: EnsembleOptions["config"] = {
  "readonlymode.enabled": "true",
  // ZooKeeper 3.8's read-only server can only make local sessions: with them off (its default)
  // it answers a new session's handshake with a bare NOTREADONLY reply header, which no client
  // can read. Upgrading lets a session that creates an ephemeral become global, as every
  // session is without local sessions. zkts's read-only sessions are always local, its others
  // always global, and it ignores both keys.
  localSessionsEnabled: "true",
  localSessionsUpgradingEnabled: "true",
};

const observed = new Map<Kind, unknown>();

/** Polls `probe` until `done` accepts its value; returns the last value seen. */
async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && performance.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

interface HandshakeRequest {
  readOnly: boolean;
  sessionId?: bigint;
  passwd?: Buffer;
  timeOut?: number;
}

/** One handshake on a fresh connection, which is then dropped: the server's answer, or "closed" when it closed without one. */
function handshakeAnswer(port: number, request: HandshakeRequest) {
  const w = new JuteWriter(256);
  w.beginFrame();
  const { sessionId = 0n, passwd = Buffer.alloc(16), timeOut = 4000 } = request;
  writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId, passwd }, request.readOnly);
  w.endFrame();
  return new Promise<{ timeOut: number; sessionId: bigint; passwd: Buffer; readOnly: boolean } | "closed">((resolve) => {
    const socket = dial(port, "127.0.0.1");
    const framer = new Framer(0xfffff);
    socket.on("connect", () => socket.write(w.toBuffer()));
    socket.on("data", (chunk: Buffer) =>
      framer.push(chunk, (payload) => {
        const answer = readConnectResponse(payload);
        resolve({ timeOut: answer.timeOut, sessionId: answer.sessionId, passwd: answer.passwd ?? Buffer.alloc(0), readOnly: answer.readOnly });
        socket.destroy();
      }),
    );
    socket.on("error", () => resolve("closed"));
    socket.on("close", () => resolve("closed"));
  });
}

/** Whether the handshake made or resumed a session, and what the server said it is. */
async function handshake(port: number, request: HandshakeRequest) {
  const answer = await handshakeAnswer(port, request);
  return answer === "closed" ? answer : { valid: answer.timeOut > 0, readOnly: answer.readOnly };
}

/** A read-only session made on a connection that is then dropped: its id and password. */
async function sessionOn(port: number, timeOut: number): Promise<{ sessionId: bigint; passwd: Buffer }> {
  const answer = await handshakeAnswer(port, { readOnly: true, timeOut });
  if (answer === "closed" || answer.timeOut <= 0) throw new Error(`no read-only session on port ${port}: ${JSON.stringify(answer)}`);
  return answer;
}

async function failure(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
    return "ok";
  } catch (err) {
    return err instanceof ZkError ? err.codeName : String(err);
  }
}

/** What kazoo with read_only=True sees on the survivor, then after the ensemble is whole again. */
function kazooScript(hosts: string, roDone: string, stop: string): string {
  return `
import os, time
from kazoo.client import KazooClient
zk = KazooClient(hosts="${hosts}", read_only=True, timeout=4)
states = []
zk.add_listener(lambda s: states.append(str(s)))
zk.start(timeout=20)
ro_session = zk.client_id[0]
print("STATE", zk.client_state)
print("SESSION_SERVER", ro_session >> 56)
print("READ", zk.get("/ro")[0].decode(), sorted(zk.get_children("/ro")))
for name, op in [("create", lambda: zk.create("/by-kazoo-ro", b"")), ("set", lambda: zk.set("/ro", b"x")),
                 ("delete", lambda: zk.delete("/ro/child")), ("sync", lambda: zk.sync("/ro"))]:
    try:
        op()
        print("WRITE", name, "ok")
    except Exception as e:
        print("WRITE", name, type(e).__name__)
open("${roDone}", "w").close()
while not os.path.exists("${stop}"):
    try:
        zk.create("/by-kazoo", b"")
        print("AFTER", zk.client_state, "new-session" if zk.client_id[0] != ro_session else "same-session", "saw-lost" if "LOST" in states else "no-lost")
        break
    except Exception:
        time.sleep(0.2)
zk.stop()
`;
}

async function observe(kind: Kind): Promise<Record<string, unknown>> {
  const start = kind === "zkts" ? startZktsEnsemble : startReferenceEnsemble;
  const ensemble: RunningEnsemble = await start({ voters: 3, config: CONFIG });
  const dir = await mkdtemp(join(tmpdir(), "zkts-read-only-"));
  const roDone = join(dir, "kazoo-read-only-done");
  const stop = join(dir, "stop");
  const clients: ZkClient[] = [];
  let kazoo: ReturnType<typeof runKazoo> | undefined;
  try {
    await ensemble.waitForLeader();
    const [survivor, ...others] = ensemble.members;
    const port = survivor!.server.port;
    // A session made through the leader that stays open: the read-only server must refuse it.
    // Its ephemeral makes it global on ZooKeeper with local sessions on (every zkts session is).
    const writer = await connect(ensemble.connectString, { sessionTimeoutMs: 4000 });
    clients.push(writer);
    await writer.create("/ro", "before");
    await writer.create("/ro/child", "");
    await writer.create("/writer", "", { mode: "EPHEMERAL" });
    const check = await connect(survivor!.server.connectString, { sessionTimeoutMs: 4000 });
    await check.sync("/ro");
    await check.close();

    for (const m of others) await m.server.kill();
    const word = (w: string) => fourLetterWord("127.0.0.1", port, w).catch((err: Error) => err.message);
    const isro = await waitFor(
      () => word("isro"),
      (a) => a === "ro",
      20_000,
    );
    kazoo = runKazoo(kazooScript(survivor!.server.connectString, roDone, stop), { timeoutMs: 80_000 });

    const ro = await connect(ensemble.connectString, { readOnlyAllowed: true, sessionTimeoutMs: 4000 });
    clients.push(ro);
    let expiredEvents = 0;
    ro.on("expired", () => expiredEvents++);
    const roSession = ro.sessionId;
    const zktsClient = {
      state: ro.state,
      sessionServer: Number(roSession >> 56n),
      data: (await ro.getData("/ro")).data.toString(),
      children: await ro.getChildren("/ro"),
      create: await failure(ro.create("/by-zkts-client-ro")),
      setData: await failure(ro.setData("/ro", "x")),
      delete: await failure(ro.delete("/ro/child")),
      sync: await failure(ro.sync("/ro")),
      multi: await failure(ro.transaction().check("/ro", 0).commit()),
    };
    const handshakes = {
      notReadOnlyClient: await handshake(port, { readOnly: false }),
      globalSession: await handshake(port, { readOnly: true, sessionId: writer.sessionId, passwd: writer.sessionPassword }),
      unknownSession: await handshake(port, { readOnly: true, sessionId: (BigInt(survivor!.id) << 56n) | 0xbadn, passwd: Buffer.alloc(16) }),
      newSession: await handshake(port, { readOnly: true }),
    };
    // A read-only session is resumed on another connection while it lives, and expires after
    // its timeout without one (400 ms, the least tickTime 200 allows).
    const kept = await sessionOn(port, 10_000);
    const abandoned = await sessionOn(port, 400);
    await sleep(2000);
    const readOnlySessions = {
      resumed: await handshake(port, { readOnly: true, ...kept }),
      expired: await handshake(port, { readOnly: true, ...abandoned }),
    };
    const words = {
      isro,
      srvrMode: /^Mode: (.*)$/m.exec(await word("srvr"))?.[1],
      mntrState: /^zk_server_state\t(.*)$/m.exec(await word("mntr"))?.[1],
    };

    // Until kazoo has seen the read-only server, the others stay down.
    await waitFor(
      async () => existsSync(roDone),
      (done) => done,
      30_000,
    );
    await Promise.all(others.map((m) => m.server.restart()));
    await ensemble.waitForLeader();
    await waitFor(
      async () => ro.state,
      (s) => s === "connected",
      30_000,
    );
    const zktsClientAfter = {
      state: ro.state,
      newSession: ro.sessionId !== roSession,
      expiredEvents,
      create: await failure(ro.create("/by-zkts-client")),
    };
    const kazooOutput = await kazoo;
    kazoo = undefined;
    return {
      words,
      handshakes,
      readOnlySessions,
      zktsClient,
      zktsClientAfter,
      kazoo: kazooOutput.stdout.trim().split("\n"),
      isroAfter: await word("isro"),
    };
  } finally {
    await writeFile(stop, "");
    await kazoo?.catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
    await ensemble.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

describe("read-only mode of an ensemble member cut off from its quorum", () => {
  it.each(["reference", "zkts"] as const)(
    "%s: the survivor serves read-only clients, then hands them back to the ensemble",
    async (kind) => {
      const seen = await observe(kind);
      observed.set(kind, seen);
      expect(seen).toEqual({
        words: { isro: "ro", srvrMode: "read-only", mntrState: "read-only" },
        handshakes: {
          notReadOnlyClient: "closed",
          globalSession: "closed",
          unknownSession: { valid: false, readOnly: true },
          newSession: { valid: true, readOnly: true },
        },
        readOnlySessions: { resumed: { valid: true, readOnly: true }, expired: { valid: false, readOnly: true } },
        zktsClient: {
          state: "connectedReadOnly",
          sessionServer: 1,
          data: "before",
          children: ["child"],
          create: "NOTREADONLY",
          setData: "NOTREADONLY",
          delete: "NOTREADONLY",
          sync: "NOTREADONLY",
          multi: "NOTREADONLY",
        },
        zktsClientAfter: { state: "connected", newSession: true, expiredEvents: 0, create: "ok" },
        kazoo: [
          "STATE CONNECTED_RO",
          "SESSION_SERVER 1",
          "READ before ['child']",
          "WRITE create NotReadOnlyCallError",
          "WRITE set NotReadOnlyCallError",
          "WRITE delete NotReadOnlyCallError",
          "WRITE sync NotReadOnlyCallError",
          // kazoo offers the read-only session to the read-write server, which has never heard of it.
          "AFTER CONNECTED new-session saw-lost",
        ],
        isroAfter: "rw",
      });
    },
    120_000,
  );

  it("zkts was seen to answer as ZooKeeper 3.8 did", () => {
    expect(observed.get("zkts")).toBeDefined();
    expect(observed.get("zkts")).toEqual(observed.get("reference"));
  });
});
