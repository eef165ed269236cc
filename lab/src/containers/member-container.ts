import { open } from "node:fs/promises";
import type { Dockerode } from "./run-resources.js";

type DockerContainer = ReturnType<Dockerode["getContainer"]>;

/**
 * One member's container once it exists, driven through dockerode for what testcontainers
 * does not offer: a kill with a chosen signal, start of the same container again (its
 * filesystem, and so its data directory, kept), the cgroup freezer, leaving and rejoining the
 * lab's network. Holds no knowledge of ZooKeeper.
 */
export class MemberContainer {
  private readonly container: DockerContainer;
  private running = true;
  private paused = false;
  private detached = false;
  /**
   * Which exit watcher is current: a start makes a new one, and a stop the lab asks for (or the
   * removal at close) retires the current one, so that exit is not counted as a crash.
   */
  private generation = 0;
  /** Exits the lab did not ask for, with their exit codes. */
  readonly crashes: { readonly exitCode: number }[] = [];

  constructor(
    private readonly engine: Dockerode,
    readonly id: string,
    private readonly network: string,
    private readonly alias: string,
    private readonly clientPort: number,
    /** The host port the member's real client port is published on (it changes when the container restarts). */
    private hostPort: number,
  ) {
    this.container = engine.getContainer(id);
    this.watchExit();
  }

  /** Notices the container stopping by itself (the member's process exited or crashed). */
  private watchExit(): void {
    const generation = ++this.generation;
    this.container.wait({ condition: "not-running" }).then(
      (result: { StatusCode: number }) => {
        if (generation !== this.generation) return;
        this.crashes.push({ exitCode: result.StatusCode });
        this.running = false;
        this.paused = false;
      },
      () => undefined,
    );
  }

  /** From now on the lab removes the container: its end is not a crash. */
  retire(): void {
    this.generation++;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The published client port, for the lab's own look at the member (no proxy, no fault). */
  get publishedClientPort(): number {
    return this.hostPort;
  }

  /** Sends `signal` to the member's process and waits for the container to stop. */
  async kill(signal: "SIGKILL" | "SIGTERM", timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    // The engine refuses to signal a frozen container; thaw it so it can act on SIGTERM.
    if (this.paused) await this.resume();
    this.retire();
    const stopped = this.container.wait({ condition: "not-running" });
    await this.container.kill({ signal }).catch(ignoreNotRunning);
    const timer = setTimeout(() => void this.container.kill({ signal: "SIGKILL" }).catch(() => undefined), timeoutMs);
    await stopped.finally(() => clearTimeout(timer));
    this.running = false;
  }

  /** Starts the stopped container again; does not wait for the member to serve. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.container.start();
    this.watchExit();
    const info = await this.container.inspect();
    const binding = info.NetworkSettings.Ports[`${this.clientPort}/tcp`]?.[0]?.HostPort;
    if (binding === undefined) throw new Error(`container ${this.alias} publishes no port for ${this.clientPort}`);
    this.hostPort = Number(binding);
    this.running = true;
    this.paused = false;
  }

  async pause(): Promise<void> {
    if (!this.running || this.paused) return;
    await this.container.pause();
    this.paused = true;
  }

  async resume(): Promise<void> {
    if (!this.paused) return;
    await this.container.unpause();
    this.paused = false;
  }

  /** Takes the container off the lab's network: its peers and proxies can no longer reach it, nor it them. */
  async disconnect(): Promise<void> {
    if (this.detached) return;
    await this.engine.getNetwork(this.network).disconnect({ Container: this.id, Force: true });
    this.detached = true;
  }

  /** Puts it back, under its alias. */
  async reconnect(): Promise<void> {
    if (!this.detached) return;
    await this.engine.getNetwork(this.network).connect({ Container: this.id, EndpointConfig: { Aliases: [this.alias] } });
    this.detached = false;
  }

  /** Writes the container's output so far (stdout and stderr, as the engine kept them) to `path`. */
  async writeLog(path: string): Promise<void> {
    const raw = (await this.container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const file = await open(path, "w");
    try {
      await file.write(demultiplex(raw));
    } finally {
      await file.close();
    }
  }
}

function ignoreNotRunning(err: { statusCode?: number }): void {
  // 409: not running (it died by itself, or a kill raced another).
  if (err.statusCode !== 409) throw err;
}

/**
 * The engine's log stream for a container without a terminal: frames of an 8-byte header
 * (stream type, three zero bytes, big-endian length) and the payload. Both streams are kept,
 * in the order they were written.
 */
export function demultiplex(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const length = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, Math.min(raw.length, at + 8 + length)));
    at += 8 + length;
  }
  return Buffer.concat(parts);
}
