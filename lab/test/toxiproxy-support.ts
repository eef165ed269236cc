import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";

/** A TCP server on 127.0.0.1 whose behaviour per connection is given by the test. */
export interface TestServer {
  readonly port: number;
  readonly address: string;
  /** Every byte any connection sent to the server, in arrival order per connection. */
  readonly received: Buffer[];
  close(): Promise<void>;
}

export async function startTestServer(onConnection: (socket: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("data", (data: Buffer) => received.push(data));
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const startEchoServer = (): Promise<TestServer> => startTestServer((socket) => socket.pipe(socket));

/** The client end of a test connection: records what arrives, how, and when it ends. */
export class TestClient {
  readonly chunks: Buffer[] = [];
  readonly opened = performance.now();
  closedAtMs: number | undefined;
  error: NodeJS.ErrnoException | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (data: Buffer) => {
      this.chunks.push(data);
      this.wake();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.error = err;
    });
    socket.on("drain", () => this.wake());
    socket.on("close", () => {
      this.closedAtMs = performance.now();
      this.wake();
    });
  }

  static connect(address: string): Promise<TestClient> {
    const [host, port] = address.split(":") as [string, string];
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(port) });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new TestClient(socket));
      });
    });
  }

  /** Connecting fails: resolves with the error code (ECONNREFUSED when nothing listens). */
  static refusal(address: string): Promise<string | undefined> {
    return TestClient.connect(address).then(
      (client) => {
        client.socket.destroy();
        return undefined;
      },
      (err: NodeJS.ErrnoException) => err.code,
    );
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get closed(): boolean {
    return this.closedAtMs !== undefined;
  }

  /** Resolves when `ready()` holds, false if `timeoutMs` passes first. */
  async until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Sends `payload` and waits for as many bytes back; the elapsed milliseconds. */
  async roundTrip(payload: string, timeoutMs = 3000): Promise<number> {
    const before = this.bytes.length;
    const started = performance.now();
    this.socket.write(payload);
    const done = await this.until(() => this.bytes.length >= before + payload.length, timeoutMs);
    if (!done) throw new Error(`no echo of ${payload.length} bytes within ${timeoutMs} ms`);
    return performance.now() - started;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
