import net from "node:net";

/**
 * A loopback TCP proxy a test can cut: `sever()` drops every proxied connection and `block()`
 * refuses new ones until `unblock()`, which is how a network partition between one client and
 * its server looks, without touching the server's data.
 */
export class CuttableProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private blocked = false;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((inbound) => this.accept(inbound));
  }

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  sever(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /**
   * Freezes every current connection without closing it: bytes stop flowing both ways, as
   * with a hung server or a black-holed route. New connections work normally.
   */
  stall(): void {
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
  }

  block(): void {
    this.blocked = true;
    this.sever();
  }

  unblock(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: net.Socket): void {
    if (this.blocked) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(this.target);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}
