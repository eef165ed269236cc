import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import type { SimRandom } from "../sim/random.js";
import { API_ERRORS } from "./api-error.js";
import { formatHostPort, parseHostPort, resolveHost, resolveListen } from "./listen-address.js";
import { ProxyConnection } from "./proxy-connection.js";
import { STREAMS, type ToxicSpec, type ToxicStream } from "./toxic-spec.js";

export interface ProxySettings {
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** A proxy as the API shows it. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicSpec[];
}

/**
 * One named proxy: a listener that, while enabled, accepts clients and connects each to the
 * upstream through the proxy's toxics. Disabling stops the listener (new clients are refused)
 * and closes every connection; the listen address keeps the port it got, so enabling again
 * listens where clients expect it.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly connections = new Set<ProxyConnection>();
  private readonly toxics: Record<ToxicStream, ToxicSpec[]> = { upstream: [], downstream: [] };
  listen: string;
  upstream: string;
  enabled = false;

  constructor(
    readonly name: string,
    settings: Pick<ProxySettings, "listen" | "upstream">,
    private readonly random: SimRandom,
    private readonly nowMs: () => number,
  ) {
    this.listen = settings.listen;
    this.upstream = settings.upstream;
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    const { host, port } = parseHostPort(this.listen);
    const address = await resolveHost(host);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: address === "" ? undefined : address, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.server = server;
    this.enabled = true;
  }

  async stop(): Promise<void> {
    if (!this.enabled || this.server === undefined) return;
    const server = this.server;
    this.server = undefined;
    this.enabled = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.destroy();
    await closed;
  }

  /** Whether these settings name another listen address or upstream (which means a restart). */
  async differs(settings: Pick<ProxySettings, "listen" | "upstream">): Promise<boolean> {
    return this.listen !== (await resolveListen(settings.listen)) || this.upstream !== settings.upstream;
  }

  async update(settings: ProxySettings): Promise<void> {
    if (await this.differs(settings)) {
      await this.stop();
      this.listen = settings.listen;
      this.upstream = settings.upstream;
    }
    if (settings.enabled && !this.enabled) await this.start();
    else if (!settings.enabled) await this.stop();
  }

  toxicList(): ToxicSpec[] {
    return STREAMS.flatMap((stream) => this.toxics[stream]);
  }

  toxic(name: string): ToxicSpec {
    const found = this.toxicList().find((toxic) => toxic.name === name);
    if (found === undefined) throw API_ERRORS.toxicNotFound;
    return found;
  }

  addToxic(spec: ToxicSpec): void {
    if (this.toxicList().some((toxic) => toxic.name === spec.name)) throw API_ERRORS.toxicAlreadyExists;
    this.toxics[spec.stream].push(spec);
    for (const connection of this.connections) connection.addToxic(spec);
  }

  replaceToxic(spec: ToxicSpec): void {
    const chain = this.toxics[spec.stream];
    chain[chain.findIndex((toxic) => toxic.name === spec.name)] = spec;
    for (const connection of this.connections) connection.updateToxic(spec);
  }

  removeToxic(name: string): void {
    const spec = this.toxic(name);
    const chain = this.toxics[spec.stream];
    chain.splice(chain.indexOf(spec), 1);
    for (const connection of this.connections) connection.removeToxic(spec);
  }

  removeAllToxics(): void {
    for (const spec of this.toxicList()) this.removeToxic(spec.name);
  }

  toJSON(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicList() };
  }

  private accept(client: Socket): void {
    // Each connection draws from its own generator, so one connection's traffic cannot shift
    // another's toxicity rolls or jitter: the draws follow from the seed and the accept order.
    const connection = new ProxyConnection(client, this.random.fork(), this.nowMs, (done) => this.connections.delete(done));
    this.connections.add(connection);
    connection.open(this.upstream, () => this.toxics);
  }
}
