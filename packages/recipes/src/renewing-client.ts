import type { ConnectionStateEvent, ZkClient } from "@zkts/client";
import { sleep } from "./internal.js";

/** Bound on the attempts to open a replacement session after one is lost. */
const RENEWAL_ATTEMPTS_MAX = 1000;

/**
 * A client that outlives its sessions. A ZkClient whose session expired stays expired (by
 * design: everything it held is gone, and code must notice); this holder notices for the
 * recipes that should carry on regardless, such as PersistentNode and ServiceDiscovery, the
 * way Curator's framework opens a new session by itself. When the current client's session is
 * lost it closes that client, opens a new one with `open`, and tells its listeners, which
 * re-create what they keep. The recipes take either a plain ZkClient (nothing survives a lost
 * session) or one of these.
 */
export class RenewingClient {
  private closed = false;
  private renewal: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(client: ZkClient) => void>();

  private constructor(
    private readonly open: () => Promise<ZkClient>,
    private currentClient: ZkClient,
    private readonly onRenewalError?: (err: unknown) => void,
  ) {
    this.watch(currentClient);
  }

  /** Opens the first session with `open`; later sessions come from the same function. */
  static async start(open: () => Promise<ZkClient>, options: { onRenewalError?: (err: unknown) => void } = {}): Promise<RenewingClient> {
    return new RenewingClient(open, await open(), options.onRenewalError);
  }

  /** The client of the current session. Do not keep it across awaits that may outlast it. */
  get client(): ZkClient {
    return this.currentClient;
  }

  /** Calls `listener` with each new client; returns the function that stops the calls. */
  onRenewed(listener: (client: ZkClient) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the current client; no session is opened afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.renewal;
    await this.currentClient.close();
  }

  private watch(client: ZkClient): void {
    const onState = (event: ConnectionStateEvent) => {
      if (event.state !== "lost") return;
      client.off("state", onState);
      this.renewal = this.renew(client);
    };
    client.on("state", onState);
  }

  private async renew(lost: ZkClient): Promise<void> {
    await lost.close().catch(() => {});
    for (let attempt = 1; attempt <= RENEWAL_ATTEMPTS_MAX && !this.closed; attempt++) {
      let next: ZkClient;
      try {
        next = await this.open();
      } catch (err) {
        this.onRenewalError?.(err);
        await sleep(Math.min(100 * attempt, 2000));
        continue;
      }
      if (this.closed) {
        await next.close();
        return;
      }
      this.currentClient = next;
      this.watch(next);
      for (const listener of [...this.listeners]) listener(next);
      return;
    }
  }
}
