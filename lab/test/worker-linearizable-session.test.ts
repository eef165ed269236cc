import { AuthPacket, Framer, JuteReader, OpCode, RequestHeader } from "@zkts/jute";
import { type RunningServer, startZkts } from "@zkts/testkit";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HistoryRecorder } from "../src/history/recorder.js";
import { Worker, type WorkerEnvironment } from "../src/workloads/worker.js";

// A worker whose session's first connect times out keeps the client, and its next operation
// runs once the client has connected. With linearizable reads every request of that session
// must follow the `zkts linearizable-reads` auth on its connection: the checker judges the
// session's reads as linearizable. The worker used to add the option after the connect, so a
// connect that timed out skipped it and the session read like a plain client (register seed
// 31 on zkts: a "linearizable" read on a follower answered in 0.6 ms with a stale version).
// One zkts server behind a relay that refuses connections until it opens, and records the
// requests each connection carries to the server.

const OP_TIMEOUT_MS = 400;

interface SeenRequest {
  readonly type: number;
  readonly scheme?: string;
  readonly auth?: string;
}

/** Relays client connections to `target` once open; records every request frame it passes. */
class RecordingRelay {
  open = false;
  /** Per accepted connection, the requests after its handshake, in order. */
  readonly connections: SeenRequest[][] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((inbound) => this.accept(inbound));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: net.Socket): void {
    if (!this.open) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(this.target.port, this.target.host);
    this.sockets.add(inbound).add(outbound);
    const requests: SeenRequest[] = [];
    this.connections.push(requests);
    const framer = new Framer();
    let handshakeSeen = false;
    inbound.on("data", (chunk: Buffer) => {
      framer.push(chunk, (payload) => {
        // The first frame is the ConnectRequest, which has no request header.
        if (!handshakeSeen) {
          handshakeSeen = true;
          return;
        }
        requests.push(describeRequest(payload));
      });
      outbound.write(chunk);
    });
    outbound.pipe(inbound);
    const closeBoth = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("close", closeBoth).on("error", closeBoth);
    outbound.on("close", closeBoth).on("error", closeBoth);
  }
}

function describeRequest(payload: Buffer): SeenRequest {
  const reader = new JuteReader(payload, 0, payload.length);
  const header = RequestHeader.read(reader);
  if (header.type !== OpCode.auth) return { type: header.type };
  const packet = AuthPacket.read(reader);
  return { type: header.type, scheme: packet.scheme ?? "", auth: packet.auth?.toString("utf8") ?? "" };
}

describe("a linearizable-reads worker whose first connect times out", () => {
  let server: RunningServer;
  let relay: RecordingRelay;

  beforeAll(async () => {
    server = await startZkts();
    relay = new RecordingRelay({ host: server.host, port: server.port });
    await relay.listen();
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await server?.stop();
  });

  it("sends the option ahead of the reads of the session it connects later", async () => {
    const env: WorkerEnvironment = {
      history: new HistoryRecorder(null),
      opTimeoutMs: OP_TIMEOUT_MS,
      sessionTimeoutMs: 10_000,
      readMode: "linearizable",
      controls: { writesEnabled: true },
    };
    const worker = new Worker(0, 1, `127.0.0.1:${relay.port}`, env);
    const read = () => worker.perform("read", "/", null, true, async (client) => (await client.exists("/")) !== null);

    // The relay refuses every connection: the session's connect runs out of time.
    await read();
    expect(worker.counts).toEqual({ ok: 0, fail: 1, info: 0 });
    expect(env.history.events.at(-1)?.metadata).toEqual({ error: "timeout" });

    // The same client connects once the relay opens, and the next read runs on it.
    const connected = worker.client!.once("connected");
    relay.open = true;
    await connected;
    await read();
    await read();
    expect(worker.counts).toEqual({ ok: 2, fail: 1, info: 0 });

    const requests = relay.connections.flat();
    process.stdout.write(`requests through the relay: ${JSON.stringify(requests)}\n`);
    const reads = requests.filter((r) => r.type === OpCode.exists);
    expect(reads).toHaveLength(2);
    expect(relay.connections).toHaveLength(1);
    expect(requests[0]).toEqual({ type: OpCode.auth, scheme: "zkts", auth: "linearizable-reads" });
    worker.dropSession();
  }, 60_000);
});
