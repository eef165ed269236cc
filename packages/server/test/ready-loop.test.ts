import type { Express, Ready } from "@zkts/zab";
import { describe, expect, it } from "vitest";
import { ReadyLoop, type ReadyHandlers, type ReplicatedState } from "../src/quorum/ready-loop.js";

/** A Ready with nothing in it but its number, carried as a sync id. */
function emptyReady(n: number): Ready {
  return {
    snapshot: null,
    truncateTo: null,
    entries: [],
    hardState: null,
    membership: null,
    messages: [],
    sendBeforePersist: false,
    committed: [],
    syncsDone: [n],
    syncsFailed: [],
    softState: null,
  };
}

/** A core stand-in that has `pending` Readies to hand out, and checks the ready/advance pairing. */
class FakeCore {
  pending = 0;
  taken = 0;
  inFlight = false;
  hasReady(): boolean {
    return !this.inFlight && this.pending > 0;
  }
  ready(): Ready {
    expect(this.inFlight).toBe(false);
    this.inFlight = true;
    this.pending -= 1;
    return emptyReady(++this.taken);
  }
  advance(): void {
    expect(this.inFlight).toBe(true);
    this.inFlight = false;
  }
  /** Sync ids the core lets through while a Ready is in flight, as a real core's express() does. */
  expressible: number[] = [];
  express(): Express | null {
    if (!this.inFlight || this.expressible.length === 0) return null;
    const syncsDone = this.expressible;
    this.expressible = [];
    return { messages: [], committed: [], syncsDone };
  }
}

function handlersFor(log: string[], onPersist: () => Promise<void> = async () => undefined): ReadyHandlers {
  const state = { onSyncs: (done: readonly number[]) => log.push(`apply ${done.join()}`) } as unknown as ReplicatedState;
  return {
    persist: async (r) => {
      log.push(`persist ${r.syncsDone.join()}`);
      await onPersist();
      return null;
    },
    send: () => undefined,
    state,
  };
}

describe("the Ready loop PeerDriver and the simulated member share", () => {
  it("handles Readies one at a time and picks up what arrives while one is handled", async () => {
    const core = new FakeCore();
    const log: string[] = [];
    let loop: ReadyLoop | null = null;
    const handlers = handlersFor(log, async () => {
      // An input during a persist: a second run() returns at once, the running loop takes it.
      if (core.taken === 1) {
        core.pending += 1;
        await loop!.run();
        log.push("second run returned");
      }
    });
    loop = new ReadyLoop(core, { handlers: () => handlers, advanced: (r) => void log.push(`advanced ${r.syncsDone.join()}`) }, () => true);
    core.pending = 1;
    await loop.run();
    // An empty Ready's commits (none) and syncs are answered before its persist (handleReady's early apply).
    expect(log).toEqual(["apply 1", "persist 1", "second run returned", "advanced 1", "apply 2", "persist 2", "advanced 2"]);
    expect(loop.running).toBe(false);
  });

  it("takes no Ready while there is nowhere to handle it, nor once its owner stopped", async () => {
    const core = new FakeCore();
    core.pending = 2;
    const log: string[] = [];
    let live = true;
    let ready = false;
    const loop = new ReadyLoop(core, { handlers: () => (ready ? handlersFor(log) : null), advanced: () => void (live = false) }, () => live);
    await loop.run();
    expect(core.taken).toBe(0);
    ready = true;
    await loop.run();
    expect(core.taken).toBe(1);
    expect(log).toEqual(["apply 1", "persist 1"]);
  });

  it("hands on what the core expresses only while a Ready is being persisted", async () => {
    const core = new FakeCore();
    const log: string[] = [];
    let loop: ReadyLoop | null = null;
    const handlers = handlersFor(log, async () => {
      // An input while the disk works: what the core lets through is answered before the persist ends.
      await Promise.resolve();
      core.expressible.push(100);
      loop!.express();
      log.push("persist returns");
    });
    loop = new ReadyLoop(core, { handlers: () => handlers }, () => true);
    // Outside a persist nothing is handed on, even with something expressible.
    core.inFlight = true;
    core.expressible.push(99);
    loop.express();
    expect(log).toEqual([]);
    core.inFlight = false;
    core.expressible = [];
    core.pending = 1;
    await loop.run();
    expect(log).toEqual(["apply 1", "persist 1", "apply 100", "persist returns"]);
  });

  it("takes up an input made while handing things on only once they are all handed on", async () => {
    const core = new FakeCore();
    const log: string[] = [];
    let loop: ReadyLoop | null = null;
    const state = {
      onSyncs: (done: readonly number[]) => {
        log.push(`apply ${done.join()}`);
        // Answering 100 makes an input (a held-back request proposed): it must not cut in.
        if (done.includes(100)) {
          core.expressible.push(200);
          loop!.express();
          log.push("after the nested input");
        }
      },
    } as unknown as ReplicatedState;
    const handlers: ReadyHandlers = {
      persist: async () => {
        await Promise.resolve();
        core.expressible.push(100);
        loop!.express();
        return null;
      },
      send: () => undefined,
      state,
    };
    loop = new ReadyLoop(core, { handlers: () => handlers }, () => true);
    core.pending = 1;
    await loop.run();
    expect(log).toEqual(["apply 1", "apply 100", "after the nested input", "apply 200"]);
  });

  it("lets an error end the run and runs again afterwards", async () => {
    const core = new FakeCore();
    core.pending = 1;
    const loop = new ReadyLoop(core, { handlers: () => handlersFor([], async () => Promise.reject(new Error("disk failed"))) }, () => true);
    await expect(loop.run()).rejects.toThrow("disk failed");
    expect(loop.running).toBe(false);
  });
});
