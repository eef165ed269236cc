export { startToxiproxyServer, type ToxiproxyServer, type ToxiproxyServerOptions } from "./http-server.js";
export { LINK_BYTES_HELD_MAX } from "./link.js";
export { TOXIPROXY_API_VERSION } from "./api-routes.js";
export type { ToxicSpec, ToxicStream } from "./toxic-spec.js";
export type { ProxyJson } from "./fault-proxy.js";
