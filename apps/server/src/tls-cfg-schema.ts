import { Type } from "@sinclair/typebox";
import { JavaInt, List, OneOf, Port, Switch, Text, keysOf } from "./cfg-schema.js";

/** The store types ZooKeeper 3.8 names (KeyStoreFileType); zkts reads all but BCFKS (stores.ts says so). */
const StoreType = OneOf(["JKS", "PEM", "PKCS12", "BCFKS"], { description: "absent: from the file name's extension" });

/**
 * The keys of one TLS group, named after its prefix: each is read as `ssl.<key>` (the client
 * port) and as `ssl.quorum.<key>` (between members, and the AdminServer's store), with
 * ZooKeeper 3.8's defaults (X509Util, SSLContextAndOptions).
 */
export const TlsGroupKeys = Type.Object({
  "keyStore.location": Type.Optional(Text({ blankIsUnset: true, description: "absent: no key store" })),
  "keyStore.password": Type.Optional(Text()),
  "keyStore.passwordPath": Type.Optional(Text({ blankIsUnset: true, description: "a file whose text is the password" })),
  "keyStore.type": Type.Optional(StoreType),
  "trustStore.location": Type.Optional(Text({ blankIsUnset: true, description: "absent: no trust store" })),
  "trustStore.password": Type.Optional(Text()),
  "trustStore.passwordPath": Type.Optional(Text({ blankIsUnset: true, description: "a file whose text is the password" })),
  "trustStore.type": Type.Optional(StoreType),
  clientAuth: OneOf(["need", "want", "none"], { default: "need" }),
  protocol: Text({ blankIsUnset: true, default: "TLSv1.2" }),
  enabledProtocols: Type.Optional(List({ description: "absent: the protocol alone" })),
  ciphersuites: Type.Optional(List({ description: "absent: ZooKeeper's default suites" })),
  hostnameVerification: Switch(true),
  // SSLContextAndOptions runs a value below 1 with the default, since waiting forever could
  // hold a unified port's accept thread for good; tls-cfg.ts applies it.
  handshakeDetectionTimeoutMillis: JavaInt({ default: 5000, description: "below 1 runs as 5000" }),
  crl: Switch(false),
});

/** The two TLS groups: the client port's and the quorum's. */
export const TLS_GROUP_PREFIXES = ["ssl", "ssl.quorum"] as const;

/** The switches and ports that turn TLS on, and the x509 provider's keys (QuorumPeerConfig, NettyServerCnxnFactory, JettyAdminServer). */
export const TlsSwitchKeys = Type.Object({
  secureClientPort: Type.Optional(Port({ refusal: "expected a port number (0-65535)", description: "absent: no TLS-only client port" })),
  // Java's InetAddress reads an empty host as the loopback address; tls-cfg.ts does too.
  secureClientPortAddress: Text({ default: "0.0.0.0" }),
  "client.portUnification": Switch(false),
  "client.certReload": Switch(false),
  sslQuorum: Switch(false),
  portUnification: Switch(false),
  sslQuorumReloadCertFiles: Switch(false),
  "admin.forceHttps": Switch(false),
  "admin.portUnification": Switch(false),
  "X509AuthenticationProvider.superUser": Type.Optional(Text({ blankIsUnset: true })),
  // Another provider is refused before these are read (security-keys.ts).
  "ssl.authProvider": Text({ default: "x509" }),
  "ssl.quorum.authProvider": Text({ default: "x509" }),
});

/** Every zoo.cfg key of the TLS family, so none of them is reported as ignored. */
export const TLS_KEYS: ReadonlySet<string> = new Set([...keysOf(TlsSwitchKeys), ...TLS_GROUP_PREFIXES.flatMap((prefix) => keysOf(TlsGroupKeys, `${prefix}.`))]);
