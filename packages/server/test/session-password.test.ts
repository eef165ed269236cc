import { connect } from "node:net";
import { Framer, JuteWriter, readConnectResponse, writeConnectRequest } from "@zkts/jute";
import { type RunningServer, startReferenceZooKeeper } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionPassword } from "../src/java-random.js";

/**
 * zkts derives a session's password from its id exactly as ZooKeeper does
 * (java.util.Random seeded with id ^ 0xB3415C00), which is what lets a session reattach after
 * a restart without the password being stored. The oracle is the reference server itself.
 */
let reference: RunningServer;
beforeAll(async () => {
  reference = await startReferenceZooKeeper();
}, 60_000);
afterAll(async () => {
  await reference?.cleanup();
});

function handshake(port: number): Promise<{ sessionId: bigint; passwd: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const framer = new Framer();
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) =>
      framer.push(chunk, (payload) => {
        const reply = readConnectResponse(payload);
        socket.destroy();
        resolve({ sessionId: reply.sessionId, passwd: reply.passwd ?? Buffer.alloc(0) });
      }),
    );
    const w = new JuteWriter();
    w.beginFrame();
    writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16) }, false);
    w.endFrame();
    socket.write(w.toBuffer());
  });
}

describe("session passwords", () => {
  it("match the reference server's for its own session ids", async () => {
    for (let i = 0; i < 3; i++) {
      const { sessionId, passwd } = await handshake(reference.port);
      expect(passwd).toHaveLength(16);
      expect(sessionPassword(sessionId).equals(passwd)).toBe(true);
    }
  });
});
