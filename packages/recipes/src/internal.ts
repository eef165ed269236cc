import { randomUUID } from "node:crypto";
import { ZkError, type WatchEvent, type ZkClient } from "@zkts/client";

/** A 32-hex-digit id, the same shape kazoo puts in front of its lock node names. */
export function newId(): string {
  return randomUUID().replace(/-/g, "");
}

/** The 10-digit counter ZooKeeper appends to sequential nodes. */
export function sequenceOf(name: string): number {
  const match = /(\d{10})$/.exec(name);
  return match === null ? -1 : Number(match[1]);
}

export function bySequence(a: string, b: string): number {
  return sequenceOf(a) - sequenceOf(b);
}

/**
 * Resolves once `path` does not exist, or when any event reaches the watch (the node changed,
 * or the session ended: the caller re-reads and decides). Rejects with `signal`'s reason.
 */
export function waitUntilGone(client: ZkClient, path: string, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(signal!.reason ?? new Error("aborted"));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort);
    client
      .exists(path, () => finish())
      .then(
        (stat) => {
          if (stat === null) finish();
        },
        (err: unknown) => finish(err),
      );
  });
}

/** Resolves on the next event of a one-shot children watch (or when the session ends). */
export function nextChildrenChange(
  client: ZkClient,
  path: string,
  signal?: AbortSignal,
): { children: Promise<string[]>; changed: Promise<WatchEvent | undefined> } {
  let resolveChanged!: (e: WatchEvent | undefined) => void;
  const changed = new Promise<WatchEvent | undefined>((resolve) => (resolveChanged = resolve));
  const onAbort = () => resolveChanged(undefined);
  // An abort that came before this call fires no event: settle at once.
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const children = client.getChildren(path, (event) => {
    signal?.removeEventListener("abort", onAbort);
    resolveChanged(event);
  });
  children.catch(() => resolveChanged(undefined));
  return { children, changed };
}

/** An AbortSignal that fires after `timeoutMs` (or never), combined with the caller's. */
export function deadlineSignal(timeoutMs: number | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (signal !== undefined) signals.push(signal);
  if (timeoutMs !== undefined) signals.push(AbortSignal.timeout(timeoutMs));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

export function isRetryable(err: unknown): boolean {
  return ZkError.is(err, "CONNECTIONLOSS") || ZkError.is(err, "OPERATIONTIMEOUT");
}

/** Bound on the retries of one recipe step across connection losses. */
export const RETRIES_MAX = 50;

/**
 * Runs `step`, retrying when the connection drops. Only safe for steps that are idempotent or
 * that check their own outcome on retry.
 */
export async function retrying<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isRetryable(err) || attempt >= RETRIES_MAX) throw err;
      await new Promise((r) => setTimeout(r, Math.min(20 * attempt, 500)));
    }
  }
}

/**
 * Creates an ephemeral sequential node whose name carries `id`. If the connection drops
 * mid-create the outcome is unknown, so the parent is searched for a node with this id before
 * trying again (what Curator calls protected mode); a lost create can never leave an orphan
 * that blocks others.
 */
export async function createTagged(
  client: ZkClient,
  parent: string,
  name: string,
  id: string,
  data: Buffer | string | null,
  mode: "EPHEMERAL_SEQUENTIAL" | "PERSISTENT_SEQUENTIAL" = "EPHEMERAL_SEQUENTIAL",
): Promise<string> {
  let checkFirst = false;
  for (let attempt = 1; ; attempt++) {
    try {
      if (checkFirst) {
        const existing = (await client.getChildren(parent)).find((child) => child.includes(id));
        if (existing !== undefined) return existing;
      }
      const created = await client.create(`${parent}/${name}`, data, { mode });
      return created.path.slice(parent.length + 1);
    } catch (err) {
      if (ZkError.is(err, "NONODE") && attempt < RETRIES_MAX) {
        await client.mkdirp(parent);
        continue;
      }
      if (!isRetryable(err) || attempt >= RETRIES_MAX) throw err;
      checkFirst = true;
      await new Promise((r) => setTimeout(r, Math.min(20 * attempt, 500)));
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The key `await using` looks up (Node 20 defines it; TypeScript's helper falls back the same way). */
export const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);
