import { createServer, connect } from "node:net";

/** Asks the kernel for a free loopback port by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no port assigned"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * True when nothing listens on 127.0.0.1:`port`. Checked before a start so that a `srvr` reply
 * from some other server already on that port cannot be mistaken for ours.
 */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Sends a four-letter word and returns everything the server writes before it closes the
 * connection. Rejects on connection errors or after `timeoutMs`.
 */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new Error(`${word} to ${host}:${port} timed out after ${timeoutMs} ms`));
    });
    // Write without half-closing: the server answers and then closes the connection itself.
    socket.once("connect", () => socket.write(word));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", reject);
    socket.once("close", (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}
