import { readFileSync } from "node:fs";
import { type ZkClient, connect } from "@zkts/client";
import type { ServerKind } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, type Identity, Pki } from "./tls/pki.js";
import { kazooTls, plainWord, tlsWord, zkCliTls } from "./tls/probes.js";
import { type TlsServer, startTlsServer } from "./tls/servers.js";

/**
 * TLS on the client port (secureClientPort, ssl.clientAuth=need, PKCS12 stores), driven by
 * real clients: zkCli.sh through Netty, kazoo with use_ssl, @zkts/client's tls option and
 * plain sockets. Every scenario runs against ZooKeeper 3.8 (NettyServerCnxnFactory, the same
 * stores) and zkts, and what the clients see must match, down to the x509 id string.
 */
const KINDS: ServerKind[] = ["reference", "zkts"];
const pki = new Pki();
let ca: CertificateAuthority;
let alice: Identity;
let bob: Identity;
const servers = new Map<ServerKind, TlsServer>();

beforeAll(async () => {
  ca = pki.authority("Test CA");
  const serverIdentity = pki.identity(ca, "server", "/CN=127.0.0.1/O=zkts");
  // A subject that exercises Java's RFC 2253 printing: an escaped comma, a multi-valued name,
  // an attribute without an RFC 2253 keyword (printed as an OID with a hex value).
  alice = pki.identity(ca, "alice", "/C=DE/O=Acme, Inc./OU=dev+CN=alice/emailAddress=alice@example.com");
  bob = pki.identity(ca, "bob", "/O=zkts/CN=bob");
  const started = await Promise.all(KINDS.map((kind) => startTlsServer(kind, serverIdentity, ca)));
  KINDS.forEach((kind, i) => servers.set(kind, started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.server.cleanup()));
  pki.cleanup();
});

/** Runs `scenario` against both servers; returns the reference's and zkts's results. */
async function onBoth<T>(scenario: (s: TlsServer, kind: ServerKind) => Promise<T>): Promise<{ reference: T; zkts: T }> {
  const [reference, zkts] = await Promise.all(KINDS.map((kind) => scenario(servers.get(kind)!, kind)));
  return { reference: reference!, zkts: zkts! };
}

describe("TLS client port, compared with ZooKeeper 3.8", () => {
  it("authenticates zkCli.sh (Netty, client certificate) as x509:<subject DN> and expands auth ACLs to it", async () => {
    const seen = await onBoth(async (s) => {
      const result = await zkCliTls(s.securePort, ["whoami", "create /tls-cli d", "setAcl /tls-cli auth::cdrwa", "getAcl /tls-cli"], alice, ca);
      return result
        .output!.split("\n")
        .filter((l) => /^(ip|x509): |^'x509|^: |^Created/.test(l))
        .join("\n");
    });
    expect(seen.reference).toMatch(/^x509: .*CN=alice/m);
    expect(seen.zkts).toBe(seen.reference);
  });

  it("refuses a TLS client without a certificate (clientAuth=need), answers four-letter words over TLS, and gives a plain client nothing", async () => {
    const seen = await onBoth(async (s) => ({
      noCertificate: (await tlsWord(s.securePort, "ruok", ca, null)).handshake,
      ruok: await tlsWord(s.securePort, "ruok", ca, alice),
      srvrMode: /^Mode: .*$/m.exec((await tlsWord(s.securePort, "srvr", ca, alice)).answer)?.[0] ?? null,
      plainOnSecurePort: await plainWord(s.securePort, "ruok"),
      plainPort: await plainWord(s.server.port, "ruok"),
    }));
    expect(seen.reference).toEqual({
      noCertificate: "refused",
      ruok: { handshake: "ok", answer: "imok" },
      srvrMode: "Mode: standalone",
      plainOnSecurePort: { handshake: "plain", answer: "" },
      plainPort: { handshake: "plain", answer: "imok" },
    });
    expect(seen.zkts).toEqual(seen.reference);
  });

  it("authenticates kazoo (use_ssl with certfile, keyfile and ca) as the same x509 id", async () => {
    const seen = await onBoth(async (s) => {
      const result = await kazooTls(
        s.securePort,
        [
          "from kazoo.security import ACL, Id",
          'client.create("/tls-kazoo", b"v", acl=[ACL(31, Id("auth", ""))])',
          'acl, _ = client.get_acls("/tls-kazoo")',
          'print("ACL", acl[0].id.scheme, acl[0].id.id, acl[0].perms)',
          'print("DATA", client.get("/tls-kazoo")[0].decode())',
        ].join("\n"),
        alice,
        ca,
      );
      return result.stdout.trim() || result.output!;
    });
    expect(seen.reference).toMatch(/^ACL x509 .*CN=alice.* 31\nDATA v$/);
    expect(seen.zkts).toBe(seen.reference);
  });

  it("@zkts/client over TLS: x509 ACLs admit the certificate they name and refuse another", async () => {
    const tlsOf = (identity: Identity) => ({ ca: readFileSync(ca.certPem), key: readFileSync(identity.keyPem), cert: readFileSync(identity.certPem) });
    const seen = await onBoth(async (s) => {
      const owner: ZkClient = await connect(`127.0.0.1:${s.securePort}`, { tls: tlsOf(alice), sessionTimeoutMs: 10_000 });
      const other: ZkClient = await connect(`127.0.0.1:${s.securePort}`, { tls: tlsOf(bob), sessionTimeoutMs: 10_000 });
      try {
        const me = (await owner.whoAmI()).find((i) => i.authScheme === "x509")!.user!;
        await owner.create("/tls-node", "secret", { acl: [{ perms: 31, id: { scheme: "x509", id: me } }] });
        const read = (await owner.getData("/tls-node")).data.toString();
        const refused = await other.getData("/tls-node").then(
          () => "read",
          (e: { codeName?: string }) => e.codeName,
        );
        const badId = await owner.create("/tls-bad", "x", { acl: [{ perms: 31, id: { scheme: "x509", id: "not a DN" } }] }).then(
          () => "created",
          (e: { codeName?: string }) => e.codeName,
        );
        return { me, read, refused, badId, acl: (await owner.getACL("/tls-node")).acl };
      } finally {
        await Promise.all([owner.close(), other.close()]);
      }
    });
    expect(seen.reference.read).toBe("secret");
    expect(seen.reference.refused).toBe("NOAUTH");
    expect(seen.zkts).toEqual(seen.reference);
  });
});
