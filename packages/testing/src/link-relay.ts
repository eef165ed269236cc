import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";

const HOST = "127.0.0.1";

/**
 * A TCP relay for one directed link between two ensemble members: the dialling member finds
 * its peer at the relay's port, and the relay forwards to the peer's real port. Cutting the
 * link resets every connection on it and refuses new ones until it is restored, which is
 * what a member's peers see when it is partitioned away (the server's transports need no
 * seam for it).
 */
export class LinkRelay {
  private readonly pairs = new Set<{ inbound: Socket; outbound: Socket }>();
  private cut = false;
  private holding = false;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {}

  static async open(targetPort: number): Promise<LinkRelay> {
    const server = createServer({ noDelay: true });
    const relay = new LinkRelay(server, targetPort);
    server.on("connection", (socket) => relay.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, HOST, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return relay;
  }

  /** The port the dialling member is told its peer listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get isCut(): boolean {
    return this.cut;
  }

  /** Connections currently carried (both ends open). */
  get connectionCount(): number {
    return this.pairs.size;
  }

  /** Resets every connection on the link and refuses new ones. */
  cutLink(): void {
    this.cut = true;
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  restore(): void {
    this.cut = false;
  }

  /**
   * Holds what the peer sends back to the dialling member, on every connection now open,
   * without closing anything: the bytes wait in the relay until release(), then go on in order.
   */
  hold(): void {
    this.holding = true;
    for (const { inbound, outbound } of this.pairs) outbound.unpipe(inbound);
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    for (const { inbound, outbound } of this.pairs) outbound.pipe(inbound);
  }

  async close(): Promise<void> {
    this.cutLink();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: Socket): void {
    if (this.cut) {
      inbound.on("error", () => undefined);
      inbound.resetAndDestroy();
      return;
    }
    inbound.setNoDelay(true);
    const outbound = connect({ host: HOST, port: this.targetPort, noDelay: true });
    const pair = { inbound, outbound };
    this.pairs.add(pair);
    // Either end closing or failing ends the other: the members see one connection, not two.
    for (const socket of [inbound, outbound]) {
      socket.on("error", () => this.drop(pair));
      socket.on("close", () => this.drop(pair));
    }
    inbound.pipe(outbound);
    if (!this.holding) outbound.pipe(inbound);
  }

  private drop(pair: { inbound: Socket; outbound: Socket }): void {
    if (!this.pairs.delete(pair)) return;
    pair.inbound.resetAndDestroy();
    pair.outbound.resetAndDestroy();
  }
}
