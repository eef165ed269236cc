import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import {
  type AdminTlsConfig,
  type ClientAuth,
  type ClientTlsConfig,
  type QuorumTlsConfig,
  type ServerConfig,
  type StoreSpec,
  type TlsSettings,
  buildTlsContext,
  defaultTlsSettings,
} from "@zkts/server";
import { ConfigError } from "./config-error.js";
import { booleanValue } from "./config-values.js";

/** The class name that loads ZooKeeper's x509 provider in an `authProvider.N` key. */
export const X509_PROVIDER_CLASS = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

/** Keys of one TLS group (after `ssl.` or `ssl.quorum.`) that zkts reads. */
const GROUP_KEYS = [
  "keyStore.location",
  "keyStore.password",
  "keyStore.passwordPath",
  "keyStore.type",
  "trustStore.location",
  "trustStore.password",
  "trustStore.passwordPath",
  "trustStore.type",
  "clientAuth",
  "protocol",
  "enabledProtocols",
  "ciphersuites",
  "hostnameVerification",
  "handshakeDetectionTimeoutMillis",
  "crl",
];

/** Every zoo.cfg key this file reads, so none of them is reported as ignored. */
export const TLS_KEYS: ReadonlySet<string> = new Set([
  "secureClientPort",
  "secureClientPortAddress",
  "client.portUnification",
  "client.certReload",
  "sslQuorum",
  "portUnification",
  "sslQuorumReloadCertFiles",
  "X509AuthenticationProvider.superUser",
  "ssl.authProvider",
  "ssl.quorum.authProvider",
  "admin.forceHttps",
  "admin.portUnification",
  ...GROUP_KEYS.map((k) => `ssl.${k}`),
  ...GROUP_KEYS.map((k) => `ssl.quorum.${k}`),
]);

type Get = (key: string) => string | undefined;

function list(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === "") return null;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function store(get: Get, name: string, baseDir: string): StoreSpec | null {
  const location = get(`${name}.location`);
  if (location === undefined || location.trim() === "") return null;
  let password = get(`${name}.password`) ?? null;
  const passwordPath = get(`${name}.passwordPath`);
  if (passwordPath !== undefined && passwordPath.trim() !== "") {
    try {
      // As ZooKeeper's SecretUtils: the file's text is the password, without its line end.
      password = readFileSync(absolute(passwordPath.trim(), baseDir), "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new ConfigError(`${name}.passwordPath: cannot read "${passwordPath}": ${(err as Error).message}`);
    }
  }
  const type = get(`${name}.type`);
  return { location: absolute(location.trim(), baseDir), password, type: type === undefined || type.trim() === "" ? null : type.trim(), settingName: name };
}

/** One group of `ssl.*` (prefix "ssl") or `ssl.quorum.*` (prefix "ssl.quorum") keys. */
export function tlsSettingsFrom(get: Get, prefix: string, baseDir: string): TlsSettings {
  const defaults = defaultTlsSettings(prefix);
  const authText = get(`${prefix}.clientAuth`)?.trim().toLowerCase() ?? "";
  if (authText !== "" && authText !== "none" && authText !== "want" && authText !== "need") {
    throw new ConfigError(`${prefix}.clientAuth: expected none, want or need, got "${get(`${prefix}.clientAuth`)}"`);
  }
  const timeoutText = get(`${prefix}.handshakeDetectionTimeoutMillis`);
  if (timeoutText !== undefined && !/^\d+$/.test(timeoutText.trim())) {
    throw new ConfigError(`${prefix}.handshakeDetectionTimeoutMillis: expected a positive integer, got "${timeoutText}"`);
  }
  return {
    prefix,
    keyStore: store(get, `${prefix}.keyStore`, baseDir),
    trustStore: store(get, `${prefix}.trustStore`, baseDir),
    clientAuth: authText === "" ? defaults.clientAuth : (authText as ClientAuth),
    protocol: get(`${prefix}.protocol`)?.trim() || defaults.protocol,
    enabledProtocols: list(get(`${prefix}.enabledProtocols`)),
    cipherSuites: list(get(`${prefix}.ciphersuites`)),
    hostnameVerification: booleanValue(`${prefix}.hostnameVerification`, get(`${prefix}.hostnameVerification`), true),
    handshakeDetectionTimeoutMs: timeoutText === undefined ? defaults.handshakeDetectionTimeoutMs : Math.max(1, Number(timeoutText.trim())),
    crl: booleanValue(`${prefix}.crl`, get(`${prefix}.crl`), false),
  };
}

function port(key: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 65535) throw new ConfigError(`${key}: expected a port number, got "${raw}"`);
  return Number(raw.trim());
}

/** secureClientPort, client.portUnification and ssl.*: null when the client ports are plain. */
export function clientTlsFrom(get: Get, baseDir: string): ClientTlsConfig | null {
  const secureText = get("secureClientPort");
  const secureClientPort = secureText === undefined || secureText.trim() === "" ? null : port("secureClientPort", secureText);
  const portUnification = booleanValue("client.portUnification", get("client.portUnification"), false);
  if (secureClientPort === null && !portUnification) return null;
  const settings = tlsSettingsFrom(get, "ssl", baseDir);
  if (settings.keyStore === null) {
    throw new ConfigError(`ssl.keyStore.location is required with ${secureClientPort !== null ? "secureClientPort" : "client.portUnification"}`);
  }
  return {
    secureClientPort,
    secureClientPortAddress: get("secureClientPortAddress")?.trim() || "0.0.0.0",
    portUnification,
    settings,
    reloadCertFiles: booleanValue("client.certReload", get("client.certReload"), false),
  };
}

/** sslQuorum, portUnification and ssl.quorum.*: null when members talk plain TCP only. */
export function quorumTlsFrom(get: Get, baseDir: string): QuorumTlsConfig | null {
  const sslQuorum = booleanValue("sslQuorum", get("sslQuorum"), false);
  const portUnification = booleanValue("portUnification", get("portUnification"), false);
  if (!sslQuorum && !portUnification) return null;
  const settings = tlsSettingsFrom(get, "ssl.quorum", baseDir);
  if (settings.keyStore === null) {
    throw new ConfigError(`ssl.quorum.keyStore.location is required with ${sslQuorum ? "sslQuorum" : "portUnification"}`);
  }
  return { sslQuorum, portUnification, settings, reloadCertFiles: booleanValue("sslQuorumReloadCertFiles", get("sslQuorumReloadCertFiles"), false) };
}

/**
 * admin.forceHttps (HTTPS only) and admin.portUnification (HTTP and HTTPS on the admin port),
 * forceHttps winning when both are set, as in ZooKeeper 3.8's JettyAdminServer. Like it, zkts
 * presents the `ssl.quorum.*` key store (JettyAdminServer reads QuorumX509Util's properties,
 * even on a standalone server), asks for no client certificate, and leaves the quorum's
 * protocol and cipher settings aside: TLSv1.2 and TLSv1.3 with the default suites.
 */
export function adminTlsFrom(get: Get, baseDir: string): AdminTlsConfig | null {
  const forceHttps = booleanValue("admin.forceHttps", get("admin.forceHttps"), false);
  const portUnification = booleanValue("admin.portUnification", get("admin.portUnification"), false);
  if (!forceHttps && !portUnification) return null;
  const key = forceHttps ? "admin.forceHttps" : "admin.portUnification";
  const quorum = tlsSettingsFrom(get, "ssl.quorum", baseDir);
  if (quorum.keyStore === null) {
    throw new ConfigError(
      `ssl.quorum.keyStore.location is required with ${key} (the AdminServer presents the ssl.quorum.* key store, as ZooKeeper 3.8's does)`,
    );
  }
  const settings: TlsSettings = {
    ...defaultTlsSettings("ssl.quorum"),
    keyStore: quorum.keyStore,
    trustStore: quorum.trustStore,
    clientAuth: "none",
    enabledProtocols: ["TLSv1.2", "TLSv1.3"],
  };
  return { mode: forceHttps ? "https" : "unified", settings };
}

/**
 * The x509 provider, as ZooKeeper 3.8 loads it: with a secureClientPort (QuorumPeerConfig then
 * registers it by itself), or named by an authProvider.N key. client.portUnification alone
 * does not load it.
 */
export function x509AuthFrom(props: ReadonlyMap<string, string>, get: Get, clientTls: ClientTlsConfig | null): ServerConfig["x509Auth"] {
  const named = [...props].some(([k, v]) => /^(zookeeper\.)?authProvider\./.test(k) && v.trim() === X509_PROVIDER_CLASS);
  if (!named && (clientTls === null || clientTls.secureClientPort === null)) return null;
  const superUser = get("X509AuthenticationProvider.superUser");
  return { superUser: superUser === undefined || superUser.trim() === "" ? null : superUser.trim() };
}

/**
 * Opens every key and trust store now, so a wrong path, password or type stops the server at
 * start with the key named (exit status 2), not at the first TLS connection.
 */
export function checkTlsStores(config: ServerConfig): void {
  for (const settings of [config.clientTls?.settings, config.quorumTls?.settings, config.adminTls?.settings]) {
    if (settings === undefined) continue;
    try {
      buildTlsContext(settings);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
  }
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
