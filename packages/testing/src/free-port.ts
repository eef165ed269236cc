import { type AddressInfo, createServer } from "node:net";

/**
 * A loopback port that was free a moment ago. Members of an ensemble must know each other's
 * peer ports before any of them binds, so these ports are picked ahead; a port taken in the
 * meantime makes the member's start fail, and the cluster retries with fresh ports.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
