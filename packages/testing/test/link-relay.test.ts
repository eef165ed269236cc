import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LinkRelay } from "../src/index.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An echo server on loopback that counts what it accepted. */
async function echoServer(): Promise<{ port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server: Server = createServer((socket) => {
    accepted.push(socket);
    socket.on("error", () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, accepted };
}

/** Connects to `port`; resolves with the socket, or with the error that ended it. */
function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("data", (data) => resolve(data.toString()));
    socket.once("close", () => reject(new Error("closed")));
    socket.write(text);
  });
}

/** Resolves once `socket` is closed (by the relay), with whether an error came first. */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on("error", () => undefined);
    if (socket.destroyed) resolve();
    else socket.once("close", () => resolve());
  });
}

describe("LinkRelay", () => {
  it("carries bytes both ways; a cut resets live connections and refuses new ones until restored", async () => {
    const echo = await echoServer();
    const relay = await LinkRelay.open(echo.port);
    closers.push(() => relay.close());
    expect(relay.port).not.toBe(echo.port);

    const live = await dial(relay.port);
    expect(await roundTrip(live, "hello")).toBe("hello");
    expect(relay.connectionCount).toBe(1);

    relay.cutLink();
    await closed(live);
    expect(relay.connectionCount).toBe(0);
    // The relay still accepts at the TCP level, then resets: no byte gets through.
    await closed(connect(relay.port, "127.0.0.1"));
    expect(echo.accepted).toHaveLength(1);

    relay.restore();
    const again = await dial(relay.port);
    expect(await roundTrip(again, "back")).toBe("back");
    expect(echo.accepted).toHaveLength(2);
    again.destroy();
  });

  it("ends the dialling side when the target refuses", async () => {
    const echo = await echoServer();
    const port = echo.port;
    await closers.pop()!();
    const relay = await LinkRelay.open(port);
    closers.push(() => relay.close());
    const socket = await dial(relay.port);
    await closed(socket);
    expect(relay.connectionCount).toBe(0);
  });
});
