import { type AddressInfo, connect, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../src/logger.js";
import { ElectionTransport } from "../src/quorum/election-transport.js";
import { LearnerConnections } from "../src/quorum/learner-connections.js";
import type { QuorumMember } from "@zkts/config";
import { peerListenHost } from "../src/quorum/peer-address.js";

/**
 * quorumListenOnAllIPs: a member whose own `server.N` line names an address it cannot bind
 * (in the lab, the Toxiproxy address its peers dial; elsewhere a NAT's outside address) still
 * binds its quorum and election ports, on every address. 192.0.2.1 (TEST-NET-1) is never a
 * local address, so binding it fails; nothing is ever sent to it.
 */
const UNBINDABLE = "192.0.2.1";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function self(): Promise<QuorumMember> {
  return { id: 1, host: UNBINDABLE, quorumPort: await freePort(), electionPort: await freePort(), role: "participant" };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe("quorumListenOnAllIPs", () => {
  it("picks every address, or the own line's host without it", () => {
    const me: QuorumMember = { id: 1, host: "zk1", quorumPort: 2888, electionPort: 3888, role: "participant" };
    expect(peerListenHost(me, true)).toBe("0.0.0.0");
    expect(peerListenHost(me, false)).toBe("zk1");
  });

  it("binds the election port on every address although the own line's host is not local", async () => {
    const me = await self();
    const refused = new ElectionTransport(me, [], () => undefined, silentLogger, peerListenHost(me, false));
    await expect(refused.start()).rejects.toThrow(/EADDRNOTAVAIL/);
    refused.stop();

    const transport = new ElectionTransport(me, [], () => undefined, silentLogger, peerListenHost(me, true));
    stops.push(() => transport.stop());
    await transport.start();
    expect(await accepts(me.electionPort)).toBe(true);
  });

  it("binds the quorum port on every address although the own line's host is not local", async () => {
    const me = await self();
    const handlers = { onMessage: () => undefined, onRequest: () => undefined, onClosed: () => undefined };
    const refused = new LearnerConnections(me, [me], handlers, silentLogger, 1 << 20, peerListenHost(me, false));
    await expect(refused.start()).rejects.toThrow(/EADDRNOTAVAIL/);
    refused.stop();

    const learners = new LearnerConnections(me, [me], handlers, silentLogger, 1 << 20, peerListenHost(me, true));
    stops.push(() => learners.stop());
    await learners.start();
    expect(await accepts(me.quorumPort)).toBe(true);
  });
});
