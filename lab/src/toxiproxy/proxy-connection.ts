import { type Socket, connect } from "node:net";
import type { SimRandom } from "../sim/random.js";
import { parseHostPort } from "./listen-address.js";
import { Link } from "./link.js";
import type { ToxicSpec, ToxicStream } from "./toxic-spec.js";

/** The toxics of a proxy at this moment, for links that start now. */
export type ToxicChains = () => Readonly<Record<ToxicStream, readonly ToxicSpec[]>>;

/**
 * A client accepted by a proxy and its connection to the upstream: an upstream link (client to
 * server) and a downstream link (server to client), each with its own chain of the proxy's
 * toxics. The client is held paused until the upstream answers; if the upstream cannot be
 * reached the client is closed, as upstream Toxiproxy does.
 */
export class ProxyConnection {
  private server: Socket | undefined;
  private readonly links = new Map<ToxicStream, Link>();
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly random: SimRandom,
    private readonly nowMs: () => number,
    private readonly onClosed: (connection: ProxyConnection) => void,
  ) {
    client.on("error", () => {});
    client.on("close", () => this.socketClosed());
  }

  open(upstream: string, chains: ToxicChains): void {
    let address;
    try {
      address = parseHostPort(upstream);
    } catch {
      this.destroy();
      return;
    }
    const server = connect({ host: address.host || "localhost", port: address.port, allowHalfOpen: true });
    this.server = server;
    server.on("error", () => {});
    server.on("close", () => this.socketClosed());
    server.once("connect", () => {
      if (this.closed) return;
      const toxics = chains();
      const reset = (): void => this.reset();
      const upstreamLink = new Link("upstream", this.client, server, this.random, this.nowMs, reset);
      const downstreamLink = new Link("downstream", server, this.client, this.random, this.nowMs, reset);
      this.links.set("upstream", upstreamLink);
      this.links.set("downstream", downstreamLink);
      upstreamLink.start(toxics.upstream);
      downstreamLink.start(toxics.downstream);
    });
  }

  addToxic(spec: ToxicSpec): void {
    this.links.get(spec.stream)?.addToxic(spec);
  }

  updateToxic(spec: ToxicSpec): void {
    this.links.get(spec.stream)?.updateToxic(spec);
  }

  removeToxic(spec: ToxicSpec): void {
    this.links.get(spec.stream)?.removeToxic(spec.name);
  }

  /** Closes both sockets at once (the proxy is stopping or being removed). */
  destroy(): void {
    this.client.destroy();
    this.server?.destroy();
    this.finish();
  }

  /** RST to both ends: what reset_peer does when it fires. */
  private reset(): void {
    for (const socket of [this.client, this.server]) {
      if (socket !== undefined && !socket.destroyed) socket.resetAndDestroy();
    }
    this.finish();
  }

  private socketClosed(): void {
    const serverGone = this.server === undefined || this.server.destroyed;
    if (this.client.destroyed && serverGone) this.finish();
    // Before the links exist nothing else notices a close: a failed dial closes the client, and
    // a client gone before the upstream answered abandons the dial.
    else if (this.links.size === 0) this.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.dispose();
    this.onClosed(this);
  }
}
