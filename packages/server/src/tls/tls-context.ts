import { type Stats, unwatchFile, watchFile } from "node:fs";
import type { Socket } from "node:net";
import {
  type ConnectionOptions,
  type SecureContext,
  type SecureContextOptions,
  type SecureVersion,
  type Server as TlsServer,
  type TLSSocket,
  checkServerIdentity,
  createSecureContext,
  createServer as createTlsServer,
} from "node:tls";
import type { Logger } from "../logger.js";
import { DEFAULT_CIPHER_SUITES, openSslCipherName } from "./cipher-suites.js";
import { RevocationChecker } from "./revocation.js";
import { TlsStoreError, loadKeyStore, loadTrustStore } from "./stores.js";
import type { TlsSettings } from "./tls-settings.js";

const VERSIONS: readonly SecureVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** How often reloading contexts look at their store files (Java's file watcher reacts within a second too). */
const RELOAD_POLL_MS = 500;

/** A TLS handshake that is not done in this long is dropped (a client that stalls holds nothing). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

interface PendingHandshake {
  secured(socket: TLSSocket): void;
  failed(reason: string): void;
}

/**
 * One group of TLS settings made usable: the context built from the key and trust stores, with
 * `clientAuth` and hostname verification. Built once at start (a bad store stops the server with
 * the key named); with reloading on, the context is rebuilt when a store file changes, new
 * connections get the new one, and a rebuild that fails keeps the old context and logs why, as
 * ZooKeeper's certificate reloading does. Accepted sockets go through a tls.Server that never
 * listens itself: it is what verifies client certificates and says whether they are `authorized`.
 */
export class TlsContext {
  private current: SecureContext;
  private readonly server: TlsServer;
  private readonly pending = new Map<string, PendingHandshake>();
  private readonly watched: string[] = [];
  /** With `crl` on: what checks a verified peer's certificates against their CRLs. */
  readonly revocation: RevocationChecker | null;

  constructor(
    readonly settings: TlsSettings,
    private readonly logger: Logger,
    reloadCertFiles: boolean,
  ) {
    const options = contextOptions(settings);
    this.current = createSecureContextOrFail(settings, options);
    this.revocation = settings.crl ? new RevocationChecker(trustedPems(settings)) : null;
    const auth = settings.clientAuth;
    this.server = createTlsServer({
      ...options,
      requestCert: auth !== "none",
      // With "want" an absent certificate is fine, but a presented one must still verify:
      // acceptTls checks `authorized` once the handshake is done.
      rejectUnauthorized: auth === "need",
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    this.server.on("secureConnection", (socket: TLSSocket) => {
      const key = keyOf(socket);
      const waiting = this.pending.get(key);
      this.pending.delete(key);
      if (waiting === undefined) socket.destroy();
      else waiting.secured(socket);
    });
    this.server.on("tlsClientError", (err: Error, socket: TLSSocket) => {
      const key = keyOf(socket);
      this.pending.get(key)?.failed(err.message);
      this.pending.delete(key);
      socket.destroy();
    });
    if (reloadCertFiles) this.watchStores();
  }

  get context(): SecureContext {
    return this.current;
  }

  /** Runs the server side of a handshake on an accepted socket. */
  acceptTls(raw: Socket, handshake: PendingHandshake): void {
    const key = keyOf(raw);
    this.pending.set(key, handshake);
    raw.once("close", () => {
      if (this.pending.get(key) === handshake) {
        this.pending.delete(key);
        handshake.failed("closed during the TLS handshake");
      }
    });
    this.server.emit("connection", raw);
  }

  /** Options for dialling a peer at `host` (quorum connections). */
  clientOptions(host: string): ConnectionOptions {
    return {
      secureContext: this.current,
      rejectUnauthorized: true,
      ...(isIpAddress(host) ? {} : { servername: host }),
      checkServerIdentity: this.settings.hostnameVerification ? (_name, cert) => checkServerIdentity(host, cert) : () => undefined,
    };
  }

  close(): void {
    for (const path of this.watched) unwatchFile(path);
    this.watched.length = 0;
  }

  private watchStores(): void {
    const paths = [this.settings.keyStore?.location, this.settings.trustStore?.location].filter((p): p is string => p !== undefined);
    for (const path of new Set(paths)) {
      const onChange = (now: Stats, before: Stats) => {
        if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
        this.reload(path);
      };
      watchFile(path, { interval: RELOAD_POLL_MS, persistent: false }, onChange);
      this.watched.push(path);
    }
  }

  private reload(path: string): void {
    try {
      const options = contextOptions(this.settings);
      this.current = createSecureContextOrFail(this.settings, options);
      this.server.setSecureContext(options);
      this.revocation?.trust(trustedPems(this.settings));
      this.logger.log("info", "TLS certificates reloaded", { settings: this.settings.prefix, changed: path });
    } catch (err) {
      this.logger.log("warn", "TLS certificates not reloaded; keeping the previous ones", {
        settings: this.settings.prefix,
        changed: path,
        reason: (err as Error).message,
      });
    }
  }
}

function trustedPems(settings: TlsSettings): string[] {
  return settings.trustStore === null ? [] : loadTrustStore(settings.trustStore);
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** Opens the stores and checks every setting; throws TlsStoreError naming the key at fault. */
export function buildContext(settings: TlsSettings): SecureContext {
  return createSecureContextOrFail(settings, contextOptions(settings));
}

/** What createSecureContext (or an https server) takes for these settings; throws TlsStoreError. */
export function contextOptions(settings: TlsSettings): SecureContextOptions {
  const { minVersion, maxVersion } = versionRange(settings);
  const ciphers = cipherList(settings);
  const key = settings.keyStore === null ? null : loadKeyStore(settings.keyStore);
  const ca = settings.trustStore === null ? undefined : loadTrustStore(settings.trustStore);
  return {
    minVersion,
    maxVersion,
    ciphers,
    honorCipherOrder: true,
    ...(key === null ? {} : { key: key.key.export({ format: "pem", type: "pkcs8" }) as string, cert: key.chain.join("") }),
    ...(ca === undefined ? {} : { ca }),
  };
}

function createSecureContextOrFail(settings: TlsSettings, options: SecureContextOptions): SecureContext {
  try {
    return createSecureContext(options);
  } catch (err) {
    throw new TlsStoreError(`${settings.prefix}.keyStore: the key and certificates cannot be used: ${(err as Error).message}`);
  }
}

/**
 * ZooKeeper enables exactly `enabledProtocols` (by default the one `protocol` names); OpenSSL
 * takes a range, so the set must have no gap.
 */
function versionRange(settings: TlsSettings): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  const key = settings.enabledProtocols === null ? `${settings.prefix}.protocol` : `${settings.prefix}.enabledProtocols`;
  const names = settings.enabledProtocols ?? [settings.protocol === "TLS" ? "TLSv1.2" : settings.protocol];
  const indexes = names.map((n) => {
    const i = VERSIONS.indexOf(n as SecureVersion);
    if (i < 0) throw new TlsStoreError(`${key}: unsupported protocol "${n}" (${VERSIONS.join(", ")})`);
    return i;
  });
  const min = Math.min(...indexes);
  const max = Math.max(...indexes);
  if (max - min + 1 !== new Set(indexes).size) throw new TlsStoreError(`${key}: the protocols must be consecutive versions`);
  return { minVersion: VERSIONS[min]!, maxVersion: VERSIONS[max]! };
}

function cipherList(settings: TlsSettings): string {
  const javaNames = settings.cipherSuites ?? DEFAULT_CIPHER_SUITES;
  const names: string[] = [];
  for (const javaName of javaNames) {
    const name = openSslCipherName(javaName);
    if (name !== null) names.push(name);
    else if (settings.cipherSuites !== null) throw new TlsStoreError(`${settings.prefix}.ciphersuites: unknown cipher suite "${javaName}"`);
  }
  if (names.length === 0) throw new TlsStoreError(`${settings.prefix}.ciphersuites: no usable cipher suite`);
  return names.join(":");
}

function isIpAddress(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":");
}
