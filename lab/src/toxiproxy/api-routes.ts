import { API_ERRORS, asApiError } from "./api-error.js";
import type { FaultProxy, ProxyJson } from "./fault-proxy.js";
import { fieldsOf, optionalBoolean, optionalString, parseJsonBody } from "./json-body.js";
import type { NamedProxySettings, ProxyCollection } from "./proxy-collection.js";
import { applyToxicUpdate, parseNewToxic } from "./toxic-spec.js";

/** The API level this server speaks; "+zkts-lab" says which implementation answers. */
export const TOXIPROXY_API_VERSION = "2.12.0+zkts-lab";

export interface ApiAnswer {
  readonly status: number;
  /** Sent as JSON; absent for 204. */
  readonly json?: unknown;
  /** Sent as plain text instead (the router's own 404 and 405). */
  readonly text?: string;
}

type Handler = (params: string[], body: string) => Promise<ApiAnswer>;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
}

const ok = (json: unknown, status = 200): ApiAnswer => ({ status, json });
const NO_CONTENT: ApiAnswer = { status: 204 };

/**
 * Toxiproxy 2.12's HTTP API over a proxy collection: the same routes, status codes, JSON
 * shapes and error bodies as its api.go, so toxiproxy-node-client (or any Toxiproxy client)
 * drives it unchanged. Requests are answered one at a time, which keeps proxy starts and
 * stops (which wait on sockets) from interleaving.
 */
export class ToxiproxyApi {
  private readonly routes: readonly Route[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly proxies: ProxyCollection) {
    const proxy = (params: string[]): FaultProxy => this.proxies.get(params[0] as string);
    this.routes = [
      { pattern: /^\/reset$/, methods: { POST: () => this.reset() } },
      {
        pattern: /^\/proxies$/,
        methods: { GET: async () => ok(this.proxyIndex()), POST: (_, body) => this.createProxy(body) },
      },
      { pattern: /^\/populate$/, methods: { POST: (_, body) => this.populate(body) } },
      {
        pattern: /^\/proxies\/([^/]+)$/,
        methods: {
          GET: async (params) => ok(proxy(params).toJSON()),
          POST: (params, body) => this.updateProxy(proxy(params), body),
          PATCH: (params, body) => this.updateProxy(proxy(params), body),
          DELETE: async (params) => {
            await this.proxies.remove(params[0] as string);
            return NO_CONTENT;
          },
        },
      },
      {
        pattern: /^\/proxies\/([^/]+)\/toxics$/,
        methods: {
          GET: async (params) => ok(proxy(params).toxicList()),
          POST: async (params, body) => {
            const target = proxy(params);
            const spec = parseNewToxic(parseJsonBody(body));
            target.addToxic(spec);
            return ok(spec); // upstream answers 200 here, not 201
          },
        },
      },
      {
        pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
        methods: {
          GET: async (params) => ok(proxy(params).toxic(params[1] as string)),
          POST: (params, body) => this.updateToxic(proxy(params), params[1] as string, body),
          PATCH: (params, body) => this.updateToxic(proxy(params), params[1] as string, body),
          DELETE: async (params) => {
            proxy(params).removeToxic(params[1] as string);
            return NO_CONTENT;
          },
        },
      },
      { pattern: /^\/version$/, methods: { GET: async () => ok({ version: TOXIPROXY_API_VERSION }) } },
    ];
  }

  handle(method: string, path: string, body: string): Promise<ApiAnswer> {
    const answer = this.queue.then(() => this.route(method, path, body));
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  private async route(method: string, path: string, body: string): Promise<ApiAnswer> {
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (match === null) continue;
      const handler = route.methods[method];
      if (handler === undefined) return { status: 405, text: "" };
      try {
        return await handler(match.slice(1).map(decodeURIComponent), body);
      } catch (err) {
        const error = asApiError(err);
        return { status: error.status, json: error.toJSON() };
      }
    }
    return { status: 404, text: "404 page not found\n" };
  }

  private proxyIndex(): Record<string, ProxyJson> {
    return Object.fromEntries(this.proxies.all().map((proxy) => [proxy.name, proxy.toJSON()]));
  }

  private async createProxy(body: string): Promise<ApiAnswer> {
    const fields = fieldsOf(parseJsonBody(body), "a proxy");
    const settings = {
      name: optionalString(fields, "name") ?? "",
      listen: optionalString(fields, "listen") ?? "",
      upstream: optionalString(fields, "upstream") ?? "",
      enabled: optionalBoolean(fields, "enabled") ?? true,
    };
    if (settings.name === "") throw API_ERRORS.missingField.with("name");
    if (settings.upstream === "") throw API_ERRORS.missingField.with("upstream");
    return ok((await this.proxies.add(settings)).toJSON(), 201);
  }

  private async populate(body: string): Promise<ApiAnswer> {
    const input = parseJsonBody(body);
    if (!Array.isArray(input)) throw API_ERRORS.badRequestBody.with("expected an array of proxies");
    // Every entry is checked before any proxy is touched, as upstream does.
    const settings: NamedProxySettings[] = input.map((entry, index) => {
      const fields = fieldsOf(entry, "a proxy");
      const name = optionalString(fields, "name") ?? "";
      const upstream = optionalString(fields, "upstream") ?? "";
      if (name === "") throw API_ERRORS.missingField.with(`name at proxy ${index + 1}`);
      if (upstream === "") throw API_ERRORS.missingField.with(`upstream at proxy ${index + 1}`);
      return { name, upstream, listen: optionalString(fields, "listen") ?? "", enabled: optionalBoolean(fields, "enabled") ?? true };
    });
    const result = await this.proxies.populate(settings);
    const proxies = result.proxies.map((proxy) => proxy.toJSON());
    if (result.error !== undefined) return ok({ ...result.error.toJSON(), proxies }, result.error.status);
    return ok({ proxies }, 201);
  }

  private async updateProxy(proxy: FaultProxy, body: string): Promise<ApiAnswer> {
    const fields = fieldsOf(parseJsonBody(body), "a proxy");
    await proxy.update({
      listen: optionalString(fields, "listen") ?? proxy.listen,
      upstream: optionalString(fields, "upstream") ?? proxy.upstream,
      enabled: optionalBoolean(fields, "enabled") ?? proxy.enabled,
    });
    return ok(proxy.toJSON());
  }

  private async updateToxic(proxy: FaultProxy, name: string, body: string): Promise<ApiAnswer> {
    const updated = applyToxicUpdate(proxy.toxic(name), parseJsonBody(body));
    proxy.replaceToxic(updated);
    return ok(updated);
  }

  private async reset(): Promise<ApiAnswer> {
    await this.proxies.reset();
    return NO_CONTENT;
  }
}
