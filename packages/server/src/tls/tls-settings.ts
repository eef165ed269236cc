/**
 * TLS settings as ZooKeeper 3.8 reads them from `ssl.*` (client port) or `ssl.quorum.*`
 * (between members). Parsed and validated by apps/server; `settingName` names the zoo.cfg key
 * in every error, so an operator knows which line to fix.
 */
export type ClientAuth = "none" | "want" | "need";

/** A key or trust store file: `<prefix>.location`, `.password` (or `.passwordPath`), `.type`. */
export interface StoreSpec {
  location: string;
  password: string | null;
  /** PEM, PKCS12 or JKS; null infers it from the file name, as ZooKeeper does. */
  type: string | null;
  /** The zoo.cfg key prefix (`ssl.keyStore`, `ssl.quorum.trustStore`), for messages. */
  settingName: string;
}

export interface TlsSettings {
  /** `ssl` or `ssl.quorum`: the prefix of every key of this group, for messages. */
  prefix: string;
  keyStore: StoreSpec | null;
  trustStore: StoreSpec | null;
  clientAuth: ClientAuth;
  /** `ssl.protocol`: TLSv1.2 unless set (ZooKeeper 3.8's default). */
  protocol: string;
  /** `ssl.enabledProtocols`; null: the protocol alone, as ZooKeeper 3.8 does. */
  enabledProtocols: readonly string[] | null;
  /** `ssl.ciphersuites` in Java's names; null: ZooKeeper 3.8's default list. */
  cipherSuites: readonly string[] | null;
  /** `ssl.hostnameVerification`: check the peer's certificate against its address (default true). */
  hostnameVerification: boolean;
  /** `ssl.handshakeDetectionTimeoutMillis`: how long a unified port waits for a client's first byte. */
  handshakeDetectionTimeoutMs: number;
  /**
   * `ssl.crl`: a peer's certificates must not be revoked, as told by the CRLs their CRL
   * distribution points name (revocation.ts); default false.
   */
  crl: boolean;
}

export function defaultTlsSettings(prefix: string): TlsSettings {
  return {
    prefix,
    keyStore: null,
    trustStore: null,
    clientAuth: "need",
    protocol: "TLSv1.2",
    enabledProtocols: null,
    cipherSuites: null,
    hostnameVerification: true,
    handshakeDetectionTimeoutMs: 5000,
    crl: false,
  };
}

/** The client port's TLS: `secureClientPort`, `client.portUnification` and the `ssl.*` keys. */
export interface ClientTlsConfig {
  /** null: no separate secure port (client.portUnification alone makes clientPort take both). */
  secureClientPort: number | null;
  secureClientPortAddress: string;
  /** `client.portUnification`: the client ports take TLS and plain connections alike. */
  portUnification: boolean;
  settings: TlsSettings;
  /** `client.certReload`: rebuild the context when the store files change. */
  reloadCertFiles: boolean;
}

/** TLS between members: `sslQuorum`, `portUnification`, `sslQuorumReloadCertFiles`, `ssl.quorum.*`. */
export interface QuorumTlsConfig {
  /** `sslQuorum`: dial other members over TLS. */
  sslQuorum: boolean;
  /** `portUnification`: the quorum and election ports take TLS and plain connections alike. */
  portUnification: boolean;
  settings: TlsSettings;
  reloadCertFiles: boolean;
}

/**
 * HTTPS for the AdminServer: `admin.forceHttps` (HTTPS only) or `admin.portUnification`
 * (HTTP and HTTPS on the one port). ZooKeeper 3.8's JettyAdminServer presents the
 * `ssl.quorum.*` key store and asks for no client certificate.
 */
export interface AdminTlsConfig {
  mode: "https" | "unified";
  settings: TlsSettings;
}
