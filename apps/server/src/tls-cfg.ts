import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import {
  type AdminTlsConfig,
  type ClientTlsConfig,
  type QuorumTlsConfig,
  type ServerConfig,
  type StoreSpec,
  type TlsSettings,
  buildTlsContext,
  defaultTlsSettings,
} from "@zkts/server";
import { ConfigError } from "./config-error.js";
import { type CfgValue, cfgValue } from "./cfg-schema.js";
import { TLS_KEYS, TlsGroupKeys, TlsSwitchKeys } from "./tls-cfg-schema.js";

/** The class name that loads ZooKeeper's x509 provider in an `authProvider.N` key. */
export const X509_PROVIDER_CLASS = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

export { TLS_KEYS };

type Get = (key: string) => string | undefined;

function store(value: CfgValue<typeof TlsGroupKeys>, prefix: string, name: "keyStore" | "trustStore", baseDir: string): StoreSpec | null {
  const location = value(`${name}.location`);
  if (location === undefined) return null;
  const settingName = `${prefix}.${name}`;
  let password = value(`${name}.password`) ?? null;
  const passwordPath = value(`${name}.passwordPath`);
  if (passwordPath !== undefined) {
    try {
      // As ZooKeeper's SecretUtils: the file's text is the password, without its line end.
      password = readFileSync(absolute(passwordPath, baseDir), "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new ConfigError(`${settingName}.passwordPath: cannot read "${passwordPath}": ${(err as Error).message}`);
    }
  }
  return { location: absolute(location, baseDir), password, type: value(`${name}.type`) ?? null, settingName };
}

/** One group of `ssl.*` (prefix "ssl") or `ssl.quorum.*` (prefix "ssl.quorum") keys. */
export function tlsSettingsFrom(get: Get, prefix: string, baseDir: string): TlsSettings {
  const value = cfgValue(TlsGroupKeys, get, { prefix: `${prefix}.` });
  const clientAuth = value("clientAuth");
  const timeout = value("handshakeDetectionTimeoutMillis");
  return {
    prefix,
    keyStore: store(value, prefix, "keyStore", baseDir),
    trustStore: store(value, prefix, "trustStore", baseDir),
    clientAuth,
    protocol: value("protocol"),
    enabledProtocols: value("enabledProtocols") ?? null,
    cipherSuites: value("ciphersuites") ?? null,
    hostnameVerification: value("hostnameVerification"),
    // Below 1 runs as the default, as in ZooKeeper 3.8 (tls-cfg-schema.ts).
    handshakeDetectionTimeoutMs: timeout < 1 ? defaultTlsSettings(prefix).handshakeDetectionTimeoutMs : timeout,
    crl: value("crl"),
  };
}

/** secureClientPort, client.portUnification and ssl.*: null when the client ports are plain. */
export function clientTlsFrom(get: Get, baseDir: string): ClientTlsConfig | null {
  const value = cfgValue(TlsSwitchKeys, get);
  const secureClientPort = value("secureClientPort") ?? null;
  const portUnification = value("client.portUnification");
  // QuorumPeerConfig refuses an address for a secure port that is not there.
  if (secureClientPort === null && get("secureClientPortAddress") !== undefined) {
    throw new ConfigError("secureClientPortAddress is set but secureClientPort is not set");
  }
  if (secureClientPort === null && !portUnification) return null;
  const settings = tlsSettingsFrom(get, "ssl", baseDir);
  if (settings.keyStore === null) {
    throw new ConfigError(`ssl.keyStore.location is required with ${secureClientPort !== null ? "secureClientPort" : "client.portUnification"}`);
  }
  return {
    secureClientPort,
    // QuorumPeerConfig binds an empty address as InetAddress.getByName("") reads it: the loopback address.
    secureClientPortAddress: value("secureClientPortAddress").trim() || "127.0.0.1",
    portUnification,
    settings,
    reloadCertFiles: value("client.certReload"),
  };
}

/** sslQuorum, portUnification and ssl.quorum.*: null when members talk plain TCP only. */
export function quorumTlsFrom(get: Get, baseDir: string): QuorumTlsConfig | null {
  const value = cfgValue(TlsSwitchKeys, get);
  const sslQuorum = value("sslQuorum");
  const portUnification = value("portUnification");
  if (!sslQuorum && !portUnification) return null;
  const settings = tlsSettingsFrom(get, "ssl.quorum", baseDir);
  if (settings.keyStore === null) {
    throw new ConfigError(`ssl.quorum.keyStore.location is required with ${sslQuorum ? "sslQuorum" : "portUnification"}`);
  }
  return { sslQuorum, portUnification, settings, reloadCertFiles: value("sslQuorumReloadCertFiles") };
}

/**
 * admin.forceHttps (HTTPS only) and admin.portUnification (HTTP and HTTPS on the admin port),
 * forceHttps winning when both are set, as in ZooKeeper 3.8's JettyAdminServer. Like it, zkts
 * presents the `ssl.quorum.*` key store (JettyAdminServer reads QuorumX509Util's properties,
 * even on a standalone server), asks for no client certificate, and leaves the quorum's
 * protocol and cipher settings aside: TLSv1.2 and TLSv1.3 with the default suites.
 */
export function adminTlsFrom(get: Get, baseDir: string): AdminTlsConfig | null {
  const value = cfgValue(TlsSwitchKeys, get);
  const forceHttps = value("admin.forceHttps");
  const portUnification = value("admin.portUnification");
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
  return { superUser: cfgValue(TlsSwitchKeys, get)("X509AuthenticationProvider.superUser") ?? null };
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
