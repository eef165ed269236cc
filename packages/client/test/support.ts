import { connect, type ClientOptions, type WatchEvent, type WatchListener, type ZkClient } from "../src/index.js";

/** A watcher whose events can be awaited one by one, with a bound on the wait. */
export class EventRecorder {
  readonly events: WatchEvent[] = [];
  private waiters: (() => void)[] = [];
  readonly listener: WatchListener = (event) => {
    this.events.push(event);
    for (const w of this.waiters.splice(0)) w();
  };

  /** Waits until at least `count` events arrived, failing after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} events, got ${JSON.stringify(this.events.map((e) => [e.type, e.path]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }
}

/** Resolves when `predicate` holds, polling a bounded number of times. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    if (await predicate()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function open(connectString: string, options: ClientOptions = {}): Promise<ZkClient> {
  return connect(connectString, { sessionTimeoutMs: 10_000, ...options });
}

/**
 * Ends a session the way a server would on expiry: a second client attaches to the same
 * session and closes it. The original client must be cut off meanwhile (a blocked proxy), or
 * its reconnect could take the session back; it learns of the expiry when it reconnects.
 */
export async function killSession(client: ZkClient, connectString: string): Promise<void> {
  const twin = await connect(connectString, {
    sessionTimeoutMs: client.sessionTimeoutMs,
    session: { sessionId: client.sessionId, passwd: client.sessionPassword },
  });
  await twin.close();
}

let counter = 0;
/** A fresh top-level path per test so tests on one server never collide. */
export function uniquePath(prefix: string): string {
  counter++;
  return `/${prefix}-${process.pid}-${counter}`;
}
