import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker } from "./docker-cli.js";
import type { Dockerode } from "./run-resources.js";

type DockerContainer = ReturnType<Dockerode["getContainer"]>;

/**
 * One member's container once it exists, driven through dockerode for what testcontainers
 * does not offer: a kill with a chosen signal, start of the same container again (its
 * filesystem, and so its data directory, kept), the cgroup freezer, leaving and rejoining the
 * lab's network. Holds no knowledge of ZooKeeper.
 *
 * The member's network namespace may belong to another container (its pod, see
 * container-peers.ts): that one is then on the lab's network and publishes the client port,
 * and leaving the network is the pod's.
 */
export class MemberContainer {
  private readonly container: DockerContainer;
  /** Notes of the lab's about this member (e.g. a rewritten zoo.cfg), added to its log. */
  private readonly notes: string[] = [];
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
    /** The container whose network namespace the member uses: its own, or its pod's. */
    private readonly networkOwner: string = id,
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
    const info = await this.engine.getContainer(this.networkOwner).inspect();
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
    await this.engine.getNetwork(this.network).disconnect({ Container: this.networkOwner, Force: true });
    this.detached = true;
  }

  /** Puts it back, under its alias. */
  async reconnect(): Promise<void> {
    if (!this.detached) return;
    await this.engine.getNetwork(this.network).connect({ Container: this.networkOwner, EndpointConfig: { Aliases: [this.alias] } });
    this.detached = false;
  }

  /** A file of the container's filesystem (running or stopped), as text. */
  async readFile(path: string): Promise<string> {
    return await withScratch(async (dir) => {
      await docker(["cp", `${this.id}:${path}`, join(dir, "file")]);
      return await readFile(join(dir, "file"), "utf8");
    });
  }

  /** Writes a file of the container's filesystem (running or stopped), readable by everyone. */
  async writeFile(path: string, content: string): Promise<void> {
    await withScratch(async (dir) => {
      await writeFile(join(dir, "file"), content, { mode: 0o644 });
      await docker(["cp", join(dir, "file"), `${this.id}:${path}`]);
    });
  }

  /** A line of the lab's own for the member's log (written after the container's output). */
  note(line: string): void {
    this.notes.push(`${new Date().toISOString()} ${line.trimEnd()}\n`);
  }

  /** Writes the container's output so far (stdout and stderr, as the engine kept them) to `path`, then the lab's notes. */
  async writeLog(path: string): Promise<void> {
    const raw = (await this.container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const file = await open(path, "w");
    try {
      await file.write(demultiplex(raw));
      if (this.notes.length > 0) await file.write(`--- the lab's notes on this member ---\n${this.notes.join("")}`);
    } finally {
      await file.close();
    }
  }
}

async function withScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "zkts-lab-cp-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
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
