import { connect, type ClientOptions, type ZkClient } from "@zkts/client";

export async function open(connectString: string, options: ClientOptions = {}): Promise<ZkClient> {
  return connect(connectString, { sessionTimeoutMs: 10_000, reconnectDelayMsMin: 20, reconnectDelayMsMax: 200, ...options });
}

/** Ends `client`'s session from a second connection; `client` must be cut off meanwhile. */
export async function killSession(client: ZkClient, connectString: string): Promise<void> {
  const twin = await connect(connectString, {
    sessionTimeoutMs: client.sessionTimeoutMs,
    session: { sessionId: client.sessionId, passwd: client.sessionPassword },
  });
  await twin.close();
}

/** A small seeded generator (mulberry32) so randomized schedules can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    if (await predicate()) return;
    if (Date.now() > deadline) break;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let counter = 0;
export function uniquePath(prefix: string): string {
  counter++;
  return `/${prefix}-${process.pid}-${counter}`;
}

/**
 * Observes a critical section from outside the recipe: every holder calls enter() and exit();
 * two holders inside at once is a safety violation. All clients live in this one process, so
 * the event loop orders the calls and the count is exact.
 */
export class OverlapChecker {
  inside = new Set<string>();
  violations: string[] = [];
  entries = 0;
  maxInside = 0;

  constructor(private readonly capacity = 1) {}

  enter(who: string): void {
    this.inside.add(who);
    this.entries++;
    this.maxInside = Math.max(this.maxInside, this.inside.size);
    if (this.inside.size > this.capacity) this.violations.push(`${[...this.inside].join(", ")} inside together`);
  }

  exit(who: string): void {
    this.inside.delete(who);
  }
}
