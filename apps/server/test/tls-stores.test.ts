import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { type RunningServer, type ServerKind, startServer, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, type Identity, Pki, STORE_PASSWORD, storeKeys } from "./tls/pki.js";
import { plainWord, tlsWord } from "./tls/probes.js";

/**
 * The client port's other TLS settings: client.portUnification (one port for plain and TLS
 * clients) with ssl.clientAuth=want, compared with ZooKeeper 3.8; key and trust stores as
 * PEM and JKS; a wrong store password stops zkts at start naming the key; client.certReload
 * serves a replaced certificate to new connections without a restart.
 */
const main = join(__dirname, "..", "dist", "main.js");
const X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";
const pki = new Pki();
let ca: CertificateAuthority;
let serverIdentity: Identity;
let alice: Identity;
const started: RunningServer[] = [];

beforeAll(() => {
  ca = pki.authority("Stores CA");
  serverIdentity = pki.identity(ca, "server", "/CN=127.0.0.1");
  alice = pki.identity(ca, "alice", "/O=zkts/CN=alice");
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.cleanup()));
  pki.cleanup();
});

async function start(kind: ServerKind, config: Record<string, string>): Promise<RunningServer> {
  const server = await startServer(kind, { config: { serverCnxnFactory: "org.apache.zookeeper.server.NettyServerCnxnFactory", ...config } });
  started.push(server);
  return server;
}

describe("client TLS settings", () => {
  it("client.portUnification with clientAuth=want: plain and TLS clients on one port, and a certificate without the x509 provider loaded is refused, as ZooKeeper 3.8 does", async () => {
    const seen: Record<string, unknown> = {};
    for (const kind of ["reference", "zkts"] as const) {
      const server = await start(kind, {
        "client.portUnification": "true",
        "ssl.clientAuth": "want",
        ...storeKeys("ssl", serverIdentity.keyStoreP12, ca.trustStoreP12),
      });
      seen[kind] = {
        plain: await plainWord(server.port, "ruok"),
        tlsWithoutCertificate: await tlsWord(server.port, "ruok", ca, null),
        tlsWithCertificate: await tlsWord(server.port, "ruok", ca, alice),
      };
    }
    expect(seen.reference).toEqual({
      plain: { handshake: "plain", answer: "imok" },
      tlsWithoutCertificate: { handshake: "ok", answer: "imok" },
      // Without a secureClientPort or an authProvider naming it, 3.8 has no x509 provider and
      // closes a connection that presents a certificate ("X509 Auth provider not found").
      tlsWithCertificate: { handshake: "ok", answer: "" },
    });
    expect(seen.zkts).toEqual(seen.reference);
  });

  it("reads PEM and JKS key and trust stores (type from the file name or from .type)", async () => {
    const jksKey = pki.jksKeyStore(serverIdentity, "server-key");
    const jksTrust = pki.jksTrustStore(ca);
    const combinations: Record<string, string>[] = [
      { "ssl.keyStore.location": serverIdentity.keyStorePem, "ssl.trustStore.location": jksTrust, "ssl.trustStore.password": STORE_PASSWORD },
      {
        "ssl.keyStore.location": jksKey,
        "ssl.keyStore.password": STORE_PASSWORD,
        "ssl.trustStore.location": ca.certPem,
        "ssl.trustStore.type": "PEM",
      },
    ];
    for (const stores of combinations) {
      const server = await start("zkts", { "client.portUnification": "true", "authProvider.x509": X509_PROVIDER, ...stores });
      expect(await tlsWord(server.port, "ruok", ca, alice)).toEqual({ handshake: "ok", answer: "imok" });
    }
  });

  it("stops at start, status 2, naming the key, when a store's password is wrong", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-tls-cfg-"));
    try {
      const cases: [Record<string, string>, RegExp][] = [
        [
          { ...storeKeys("ssl", serverIdentity.keyStoreP12, ca.trustStoreP12), "ssl.keyStore.password": "wrong" },
          /^zkts-server: ssl\.keyStore\.location: .*password is wrong/,
        ],
        [
          { ...storeKeys("ssl", serverIdentity.keyStoreP12, ca.trustStoreP12), "ssl.trustStore.type": "BCFKS" },
          /^zkts-server: ssl\.trustStore\.type: unsupported store type "BCFKS"/,
        ],
      ];
      for (const [keys, message] of cases) {
        const cfg = { tickTime: "2000", dataDir: dir, clientPort: "0", secureClientPort: "0", ...keys };
        writeFileSync(
          join(dir, "zoo.cfg"),
          Object.entries(cfg)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(""),
        );
        const failure = await promisify(execFile)(process.execPath, [main, "--config", join(dir, "zoo.cfg")]).catch((e: { code: number; stderr: string }) => e);
        expect((failure as { code: number }).code).toBe(2);
        expect((failure as { stderr: string }).stderr).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("client.certReload: new connections get a replaced certificate without a restart", async () => {
    const renewedCa = pki.authority("Renewed CA");
    const renewed = pki.identity(renewedCa, "renewed", "/CN=127.0.0.1");
    const keyStore = join(pki.dir, "reloading.p12");
    copyFileSync(serverIdentity.keyStoreP12, keyStore);
    const server = await startZkts({
      config: {
        "client.portUnification": "true",
        "client.certReload": "true",
        "authProvider.x509": X509_PROVIDER,
        ...storeKeys("ssl", keyStore, ca.trustStoreP12),
      },
    });
    started.push(server);
    expect((await tlsWord(server.port, "ruok", ca, alice)).handshake).toBe("ok");
    copyFileSync(renewed.keyStoreP12, keyStore);
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && (await tlsWord(server.port, "ruok", renewedCa, alice)).handshake !== "ok") await sleep(200);
    expect(await tlsWord(server.port, "ruok", renewedCa, alice)).toEqual({ handshake: "ok", answer: "imok" });
    expect((await tlsWord(server.port, "ruok", ca, alice)).handshake).toBe("refused");
  });
});
