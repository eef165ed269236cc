import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, connect } from "node:net";

/**
 * Where the ports tests listen on come from: below the kernel's ephemeral range, from which
 * every outgoing connection takes its local port. A port the kernel handed out as free inside
 * that range (bind to port 0) can be taken by a client's connection before the server binds it,
 * which a busy machine running many tests at once does see.
 */
const LISTEN_PORTS_LOW = 12000;
const EPHEMERAL_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";
const PICKS = 64;

/** The first port of the ephemeral range (Linux's default when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync(EPHEMERAL_RANGE, "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * A loopback port nothing listens on, picked at random below the ephemeral range (so no
 * outgoing connection takes it meanwhile) and checked by binding it; when that range is too
 * small or full, one the kernel assigns (bind to port 0).
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  if (high - LISTEN_PORTS_LOW >= 1000) {
    for (let pick = 0; pick < PICKS; pick++) {
      const port = LISTEN_PORTS_LOW + randomInt(high - LISTEN_PORTS_LOW);
      if (await portIsFree(port)) return port;
    }
  }
  return await kernelAssignedPort();
}

function kernelAssignedPort(): Promise<number> {
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
