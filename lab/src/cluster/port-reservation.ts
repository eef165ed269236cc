import { type Server, createServer } from "node:net";

/**
 * Loopback ports held open until released: a port picked now and bound later could otherwise
 * be handed by the kernel to a Toxiproxy listener on port 0 (or any other ephemeral use) in
 * between, and the member that was meant to bind it would die on "address in use".
 */
export class PortReservation {
  private constructor(
    readonly ports: readonly number[],
    private readonly servers: Server[],
  ) {}

  static async take(count: number, host = "127.0.0.1"): Promise<PortReservation> {
    const servers: Server[] = [];
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port: 0, exclusive: true }, () => resolve());
      });
      servers.push(server);
      ports.push((server.address() as { port: number }).port);
    }
    return new PortReservation(ports, servers);
  }

  /** Frees the ports, just before the members that will bind them start. */
  async release(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
