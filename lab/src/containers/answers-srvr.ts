import { setTimeout as sleep } from "node:timers/promises";
import { fourLetterWord } from "@zkts/testkit";
import type { WaitStrategy } from "testcontainers";

type WaitArgs = Parameters<WaitStrategy["waitUntilReady"]>;

const POLL_MS = 100;

/**
 * A member container is started when its client port answers `srvr` through the published
 * port (anything, "not currently serving" included: the process is up and has bound the port).
 * Quicker than testcontainers' port checks, which run a shell in the container for every try,
 * and the same for both targets. An empty answer is the engine's port proxy with nothing
 * listening behind it yet. Fails at once when the container stops.
 */
export class AnswersSrvr implements WaitStrategy {
  private timeoutMs = 60_000;
  private timeoutSet = false;

  /**
   * `hostPort`: where the client port is published when another container publishes it (the
   * member's pod, whose network namespace the member shares); else the container's own binding.
   */
  constructor(
    private readonly clientPort: number,
    private readonly hostPort?: number,
  ) {}

  async waitUntilReady(container: WaitArgs[0], boundPorts: WaitArgs[1]): Promise<void> {
    const port = this.hostPort ?? boundPorts.getBinding(this.clientPort);
    const deadline = performance.now() + this.timeoutMs;
    while (performance.now() < deadline) {
      const answer = await fourLetterWord("127.0.0.1", port, "srvr", 1000).catch(() => "");
      if (answer.length > 0) return;
      const state = (await container.inspect()).State;
      if (!state.Running) throw new Error(`the container exited (code ${state.ExitCode}) before its client port answered`);
      await sleep(POLL_MS);
    }
    throw new Error(`client port ${this.clientPort} did not answer srvr within ${this.timeoutMs} ms`);
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.timeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}
