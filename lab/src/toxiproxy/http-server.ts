import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { SimRandom } from "../sim/random.js";
import { type ApiAnswer, ToxiproxyApi } from "./api-routes.js";
import { formatHostPort } from "./listen-address.js";
import { ProxyCollection } from "./proxy-collection.js";

export interface ToxiproxyServerOptions {
  /** Address of the HTTP API; default 127.0.0.1. */
  readonly host?: string;
  /** Port of the HTTP API; Toxiproxy's is 8474, 0 picks a free one. */
  readonly port?: number;
  /** Seed of every random draw (toxicity rolls, jitter, slice sizes); default: from the clock. */
  readonly seed?: number;
  /**
   * Proxies to create at start, as upstream's `-config` file holds them: the JSON text of a
   * list of `{name, listen, upstream, enabled}`, created as /populate creates them. A proxy
   * that cannot be created fails the start.
   */
  readonly proxies?: string;
}

export interface ToxiproxyServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8474, for `new Toxiproxy(url)`. */
  readonly url: string;
  readonly seed: number;
  /** Stops the API and every proxy, closing their connections. */
  close(): Promise<void>;
}

/** Request bodies are a few proxies or a toxic; anything this large is not one. */
const REQUEST_BYTES_MAX = 4 << 20;

/**
 * Starts the lab's Toxiproxy: the HTTP API of Toxiproxy 2.12 and the proxies it manages, in
 * this process. A real Toxiproxy at another URL can stand in for it, since the lab only
 * speaks to it through toxiproxy-node-client.
 */
export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const seed = options.seed ?? Date.now() % 0x7fffffff;
  const proxies = new ProxyCollection(new SimRandom(seed), () => performance.now());
  const api = new ToxiproxyApi(proxies);
  const server = createServer((request, response) => {
    serve(api, request, response).catch((err: unknown) => {
      if (!response.headersSent) send(response, { status: 500, json: { error: String(err), status: 500 } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 8474 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (options.proxies !== undefined) {
    const created = await api.handle("POST", "/populate", options.proxies);
    if (created.status !== 201) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proxies.stopAll();
      throw new Error(`the proxies to create at start: ${JSON.stringify(created.json ?? created.text)}`);
    }
  }
  const bound = server.address() as AddressInfo;
  const url = `http://${formatHostPort({ host: bound.address, port: bound.port })}`;
  return {
    url,
    seed,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await proxies.stopAll();
      await closed;
    },
  };
}

async function serve(api: ToxiproxyApi, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // Upstream refuses browsers, so a web page cannot reconfigure the network behind its user's back.
  if ((request.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
    send(response, { status: 403, text: "User agent not allowed\n" });
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    send(response, { status: 413, json: { error: "request body too large", status: 413 } });
    return;
  }
  const path = new URL(request.url ?? "/", "http://toxiproxy").pathname;
  send(response, await api.handle(request.method ?? "GET", path, body));
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > REQUEST_BYTES_MAX) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, answer: ApiAnswer): void {
  if (answer.json !== undefined) {
    response.writeHead(answer.status, { "Content-Type": "application/json" });
    response.end(`${JSON.stringify(answer.json)}\n`);
  } else {
    response.writeHead(answer.status, answer.text ? { "Content-Type": "text/plain; charset=utf-8" } : {});
    response.end(answer.text ?? "");
  }
}
