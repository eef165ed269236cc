import type { SimRandom } from "../sim/random.js";
import { API_ERRORS, ApiError, asApiError } from "./api-error.js";
import { FaultProxy, type ProxySettings } from "./fault-proxy.js";

export interface NamedProxySettings extends ProxySettings {
  readonly name: string;
}

/** Result of /populate: the proxies made so far, and the error that stopped it, if one did. */
export interface PopulateResult {
  readonly proxies: FaultProxy[];
  readonly error?: ApiError;
}

/** Every proxy of the server, by name; each proxy gets its own generator, forked in creation order. */
export class ProxyCollection {
  private readonly proxies = new Map<string, FaultProxy>();

  constructor(
    private readonly random: SimRandom,
    private readonly nowMs: () => number,
  ) {}

  all(): FaultProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw API_ERRORS.proxyNotFound;
    return proxy;
  }

  async add(settings: NamedProxySettings): Promise<FaultProxy> {
    if (this.proxies.has(settings.name)) throw API_ERRORS.proxyAlreadyExists;
    const proxy = this.create(settings);
    if (settings.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** As upstream: an existing proxy with the same listen and upstream is kept as it is (toxics too). */
  async addOrReplace(settings: NamedProxySettings): Promise<FaultProxy> {
    const existing = this.proxies.get(settings.name);
    if (existing !== undefined) {
      if (!(await existing.differs(settings))) return existing;
      await existing.stop();
    }
    const proxy = this.create(settings);
    if (settings.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  async populate(settings: readonly NamedProxySettings[]): Promise<PopulateResult> {
    const proxies: FaultProxy[] = [];
    for (const one of settings) {
      try {
        proxies.push(await this.addOrReplace(one));
      } catch (err) {
        return { proxies, error: asApiError(err) };
      }
    }
    return { proxies };
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  /** Every proxy enabled and without toxics (removing a timeout toxic closes what it held). */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  async stopAll(): Promise<void> {
    for (const proxy of this.proxies.values()) await proxy.stop();
  }

  private create(settings: NamedProxySettings): FaultProxy {
    return new FaultProxy(settings.name, settings, this.random.fork(), this.nowMs);
  }
}
