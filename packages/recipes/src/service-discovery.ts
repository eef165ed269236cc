import { ZkError, type ZkClient } from "@zkts/client";
import { isRetryable, nextChildrenChange, retrying, sleep } from "./internal.js";
import { PersistentNode } from "./persistent-node.js";
import { RenewingClient } from "./renewing-client.js";
import { decodeServiceInstance, encodeServiceInstance, type ServiceInstance } from "./service-instance.js";

export interface ServiceDiscoveryOptions {
  /** Where services live; Curator's examples use "/services" too. Default "/services". */
  basePath?: string;
  /** The registration clock (epoch ms), for registrationTimeUTC. Default Date.now. */
  now?: () => number;
}

/**
 * Service registration and lookup in curator-x-discovery's layout: each instance is a node
 * `<basePath>/<name>/<id>` holding Curator's ServiceInstance JSON, so Curator's
 * ServiceDiscovery, ServiceProvider and ServiceCache list instances registered here, and the
 * reverse. A registered instance is kept by a PersistentNode: re-created if deleted, and on the
 * new session after a lost one when this discovery was given a RenewingClient. DYNAMIC
 * instances are ephemeral; STATIC and PERMANENT ones persistent (removed by unregister()).
 */
export class ServiceDiscovery {
  readonly basePath: string;
  private readonly registered = new Map<string, PersistentNode>();
  private readonly now: () => number;

  constructor(
    private readonly source: ZkClient | RenewingClient,
    options: ServiceDiscoveryOptions = {},
  ) {
    this.basePath = options.basePath ?? "/services";
    this.now = options.now ?? Date.now;
  }

  /** Registers (or re-registers with new content) an instance; resolves once its node exists. */
  async registerService(instance: ServiceInstance, options: { timeoutMs?: number } = {}): Promise<void> {
    if (instance.serviceType === "DYNAMIC_SEQUENTIAL") throw new Error("DYNAMIC_SEQUENTIAL instances are not supported; give each instance its own id");
    const key = this.instancePath(instance.name, instance.id);
    const data = encodeServiceInstance(instance, this.now());
    const existing = this.registered.get(key);
    if (existing !== undefined) return existing.setData(data);
    const node = new PersistentNode(this.source, key, data, { mode: (instance.serviceType ?? "DYNAMIC") === "DYNAMIC" ? "EPHEMERAL" : "PERSISTENT" });
    this.registered.set(key, node);
    node.start();
    if (!(await node.waitForInitialCreate({ timeoutMs: options.timeoutMs ?? 30_000 }))) {
      throw new Error(`service instance ${key} was not registered in time${node.lastError === undefined ? "" : `: ${String(node.lastError)}`}`);
    }
  }

  /** Changes a registered instance's content. */
  async updateService(instance: ServiceInstance): Promise<void> {
    const node = this.registered.get(this.instancePath(instance.name, instance.id));
    if (node === undefined) throw new Error(`service instance ${instance.name}/${instance.id} is not registered here`);
    await node.setData(encodeServiceInstance(instance, this.now()));
  }

  /** Removes an instance registered here. */
  async unregisterService(instance: Pick<ServiceInstance, "name" | "id">): Promise<void> {
    const key = this.instancePath(instance.name, instance.id);
    const node = this.registered.get(key);
    this.registered.delete(key);
    await node?.close();
  }

  /** The names of all services. */
  async queryForNames(): Promise<string[]> {
    return this.children(this.basePath);
  }

  /** Every instance of service `name` (unreadable or vanished ones are skipped). */
  async queryForInstances<P = unknown>(name: string): Promise<ServiceInstance<P>[]> {
    const ids = await this.children(this.servicePath(name));
    const found = await Promise.all(ids.map((id) => this.queryForInstance<P>(name, id)));
    return found.filter((instance): instance is ServiceInstance<P> => instance !== null);
  }

  async queryForInstance<P = unknown>(name: string, id: string): Promise<ServiceInstance<P> | null> {
    try {
      const { data } = await retrying(() => this.client.getData(this.instancePath(name, id)));
      return decodeServiceInstance<P>(data);
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return null;
      if (err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /**
   * The instances of `name` now and after every registration or removal, as Curator's
   * ServiceCache; `break` (or the signal) ends it. Changes during a read coalesce.
   */
  async *watchInstances<P = unknown>(name: string, signal?: AbortSignal): AsyncGenerator<ServiceInstance<P>[]> {
    const path = this.servicePath(name);
    for (let round = 0; round < 1_000_000 && !signal?.aborted; round++) {
      const client = this.client;
      const { children, changed } = nextChildrenChange(client, path, signal);
      try {
        await children;
      } catch (err) {
        if (ZkError.is(err, "NONODE")) {
          await client.mkdirp(path);
          continue;
        }
        if (ZkError.is(err, "SESSIONEXPIRED") && this.source instanceof RenewingClient) {
          await this.nextClient(signal);
          continue;
        }
        if (!isRetryable(err)) throw err;
        await sleep(100);
        continue;
      }
      yield await this.queryForInstances<P>(name);
      const event = await changed;
      if (event === undefined && !(this.source instanceof RenewingClient)) return;
      // A None event or none at all: the session ended; a RenewingClient brings the next one.
      if (event === undefined || event.type === "None") await this.nextClient(signal);
    }
  }

  /** Unregisters every instance registered here. */
  async close(): Promise<void> {
    const nodes = [...this.registered.values()];
    this.registered.clear();
    await Promise.all(nodes.map((node) => node.close()));
  }

  servicePath(name: string): string {
    return `${this.basePath}/${name}`;
  }

  instancePath(name: string, id: string): string {
    return `${this.servicePath(name)}/${id}`;
  }

  private get client(): ZkClient {
    return this.source instanceof RenewingClient ? this.source.client : this.source;
  }

  /** Waits until the RenewingClient hands out a client with a live session. */
  private async nextClient(signal?: AbortSignal): Promise<void> {
    const source = this.source;
    if (!(source instanceof RenewingClient) || source.client.connectionState !== "lost" || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const stop = source.onRenewed(() => finish());
      const finish = () => {
        stop();
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      signal?.addEventListener("abort", finish, { once: true });
      if (source.client.connectionState !== "lost") finish();
    });
  }

  private async children(path: string): Promise<string[]> {
    try {
      return await retrying(() => this.client.getChildren(path));
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return [];
      throw err;
    }
  }
}
