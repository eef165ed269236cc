import net from "node:net";
import tls from "node:tls";
import type { HostPort } from "./connect-string.js";
import { ConnectionCore, type CoreConfig, type SessionEvent } from "./core/connection-core.js";
import type { RawWatchEvent, RawWatcher } from "./core/watch-table.js";

/** How long a read-write probe may take before it counts as "no", as ZooKeeper's client allows. */
const PROBE_TIMEOUT_MS = 1000;

export interface DriverListeners {
  sessionEvent(event: SessionEvent): void;
  watchEvent(watchers: RawWatcher[], event: RawWatchEvent): void;
}

/**
 * The adapter that gives the connection core its I/O: one TCP socket at a time, one timer set
 * to the core's next deadline, and the wall clock. Everything protocol-related lives in the
 * core; this file only moves bytes and time.
 */
export class SocketDriver {
  readonly core: ConnectionCore;
  private socket: net.Socket | undefined;
  private probeSocket: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    config: CoreConfig,
    listeners: DriverListeners,
    private readonly tlsOptions?: tls.ConnectionOptions,
  ) {
    this.core = new ConnectionCore(config, {
      connect: (server) => this.open(server),
      send: (frame) => this.socket?.write(frame),
      disconnect: () => this.drop(),
      // Deliver outside the core's call stack so user code never re-enters the core mid-frame.
      sessionEvent: (event) => queueMicrotask(() => listeners.sessionEvent(event)),
      watchEvent: (watchers, event) => queueMicrotask(() => listeners.watchEvent(watchers, event)),
      probeReadWrite: (server) => this.probe(server),
    });
  }

  start(session?: { sessionId: bigint; passwd: Buffer }): void {
    this.core.start(Date.now(), session);
    this.schedule();
  }

  /** Runs `fn` against the core with the current time, then re-arms the timer. */
  run(fn: (core: ConnectionCore, now: number) => void): void {
    fn(this.core, Date.now());
    this.schedule();
  }

  /** Cuts the current TCP connection as a network fault would (for tests and tools). */
  severConnection(): void {
    this.socket?.destroy();
  }

  /** A TCP (or TLS) connection to `server`; `ready` names the event after which it can carry data. */
  private dial(server: HostPort): { socket: net.Socket; ready: "connect" | "secureConnect" } {
    // With TLS the handshake must finish before the ZooKeeper handshake starts.
    const socket: net.Socket =
      this.tlsOptions === undefined
        ? net.connect({ host: server.host, port: server.port })
        : tls.connect({ servername: net.isIP(server.host) === 0 ? server.host : undefined, ...this.tlsOptions, host: server.host, port: server.port });
    socket.setNoDelay(true);
    return { socket, ready: this.tlsOptions === undefined ? "connect" : "secureConnect" };
  }

  private open(server: HostPort): void {
    const { socket, ready } = this.dial(server);
    this.socket = socket;
    socket.on(ready, () => {
      if (this.socket === socket) this.run((core, now) => core.onTransportOpen(now));
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.socket === socket) this.run((core, now) => core.onData(chunk, now));
    });
    let failure: string | undefined;
    socket.on("error", (err: Error) => {
      // The close event that always follows reports the loss, with this as its reason.
      failure = err.message;
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const reason = `connection to ${server.host}:${server.port} closed${failure === undefined ? "" : `: ${failure}`}`;
      this.run((core, now) => core.onTransportClosed(now, reason));
    });
  }

  /** Sends `isro` to `server` and tells the core whether it answered "rw". */
  private probe(server: HostPort): void {
    const { socket, ready } = this.dial(server);
    this.probeSocket = socket;
    let answer = "";
    let settled = false;
    const settle = (readWrite: boolean) => {
      if (settled) return;
      settled = true;
      if (this.probeSocket === socket) this.probeSocket = undefined;
      socket.destroy();
      this.run((core, now) => core.onReadWriteProbe(server, readWrite, now));
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => settle(false));
    socket.on(ready, () => socket.write("isro"));
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", () => settle(false));
    socket.on("close", () => settle(answer.trim() === "rw"));
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    // A probe is only wanted while a read-only session is open.
    this.probeSocket?.destroy();
  }

  private schedule(): void {
    const deadline = this.core.nextDeadline();
    if (deadline === undefined) {
      this.clearTimer();
      return;
    }
    if (this.timer !== undefined && this.timerAt <= deadline) return;
    this.clearTimer();
    this.timerAt = deadline;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.run((core, now) => core.tick(now));
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
