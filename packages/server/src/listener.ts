import { type Server as NetServer, type Socket, createServer } from "node:net";
import type { ServerConfig } from "./config.js";

/** Connections accepted before the server is ready, held until `start()` takes them. */
export const earlyConnections = new WeakMap<NetServer, { sockets: Socket[]; hold: (socket: Socket) => void }>();

/**
 * Binds the client port. Clients that connect while the data directory is still being
 * recovered wait in a queue, and are served once the server starts.
 */
export async function listen(config: ServerConfig): Promise<NetServer> {
  const server = createServer({ noDelay: true, pauseOnConnect: true });
  const sockets: Socket[] = [];
  const hold = (socket: Socket) => sockets.push(socket);
  earlyConnections.set(server, { sockets, hold });
  server.on("connection", hold);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(new Error(`cannot listen on ${config.clientPortAddress}:${config.clientPort}: ${err.message}`)),
    );
    server.listen(config.clientPort, config.clientPortAddress, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  return server;
}

