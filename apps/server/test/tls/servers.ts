import { freePort, type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { type CertificateAuthority, type Identity, storeKeys } from "./pki.js";

export interface TlsServer {
  server: RunningServer;
  /** The TLS-only client port (secureClientPort). */
  securePort: number;
}

/**
 * Starts a server of either kind with a plain clientPort and a secureClientPort, both on
 * 127.0.0.1, the Netty connection factory (which the reference needs for TLS and zkts ignores),
 * and the same PKCS12 stores, plus `extra` keys.
 */
export async function startTlsServer(
  kind: ServerKind,
  serverIdentity: Identity,
  ca: CertificateAuthority,
  extra: Record<string, string> = {},
): Promise<TlsServer> {
  const securePort = await freePort();
  const server = await startServer(kind, {
    config: {
      serverCnxnFactory: "org.apache.zookeeper.server.NettyServerCnxnFactory",
      secureClientPort: String(securePort),
      secureClientPortAddress: "127.0.0.1",
      ...storeKeys("ssl", serverIdentity.keyStoreP12, ca.trustStoreP12),
      ...extra,
    },
  });
  return { server, securePort };
}
