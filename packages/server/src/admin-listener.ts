import { type RequestListener, createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type Server, type Socket, createServer as createNetServer } from "node:net";
import { contextOptions } from "./tls/tls-context.js";
import type { AdminTlsConfig } from "./tls/tls-settings.js";

/** A TLS record of type handshake (the ClientHello) starts with this byte; an HTTP request with a letter. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** A connection idle this long is closed (Jetty's AdminServer idle timeout, 30 s). */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Serves the AdminServer's requests on host:port: plain HTTP, HTTPS only (`admin.forceHttps`),
 * or both on the one port (`admin.portUnification`), told apart by the first byte a client
 * sends. The certificate is read once, at start, as ZooKeeper's AdminServer reads it; a store
 * that cannot be used throws (TlsStoreError, naming the key).
 */
export async function listenAdmin(handler: RequestListener, host: string, port: number, tls: AdminTlsConfig | null): Promise<Server> {
  const server = listenerFor(handler, tls);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

function listenerFor(handler: RequestListener, tls: AdminTlsConfig | null): Server {
  const http = createHttpServer(handler);
  if (tls === null) return http;
  // No client certificate is asked for: JettyAdminServer sets neither need nor want client auth.
  const https = createHttpsServer({ ...contextOptions(tls.settings), requestCert: false }, handler);
  if (tls.mode === "https") return https;
  return createNetServer((raw: Socket) => {
    raw.setTimeout(IDLE_TIMEOUT_MS, () => raw.destroy());
    raw.on("error", () => raw.destroy());
    const onReadable = () => {
      const first = raw.read() as Buffer | null;
      if (first === null || first.length === 0) return;
      raw.off("readable", onReadable);
      raw.setTimeout(0);
      raw.unshift(first);
      (first[0] === TLS_HANDSHAKE_RECORD ? https : http).emit("connection", raw);
    };
    raw.on("readable", onReadable);
  });
}
