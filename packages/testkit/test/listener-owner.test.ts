import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listensOn } from "../src/listener-owner.js";
import { freePort } from "../src/net.js";

describe("listensOn", () => {
  it("tells the process holding a port's listener from one that does not", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      // pid 1 (init) holds no listener on a port this process just bound.
      expect(listensOn(1, port)).toBe(false);
      expect(listensOn(process.pid, await freePort())).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
