import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, type ServerKind, ensembleMemberCommand, fourLetterWord, freePort, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrlAuthority } from "./tls/crl-authority.js";
import { type CertificateAuthority, type Identity, Pki, storeKeys } from "./tls/pki.js";
import { kazooTls, tlsWord } from "./tls/probes.js";
import { type TlsServer, startTlsServer } from "./tls/servers.js";

/**
 * Certificate revocation with ssl.crl=true and ssl.quorum.crl=true, as ZooKeeper 3.8 does it:
 * the CRL comes from the URL each certificate names in its CRL distribution points (Java's
 * com.sun.security.enableCRLDP, which ZooKeeper turns on). A test CA made with `openssl ca`
 * revokes one of two client certificates and serves its CRL over loopback HTTP; the revoked
 * client is refused and the other served, by ZooKeeper 3.8 and zkts alike, through
 * four-letter words over TLS, kazoo and @zkts/client. One difference is visible to clients:
 * Java refuses the certificate inside the TLS handshake, while zkts (node's TLS has no
 * asynchronous certificate check) completes the handshake, checks the CRL, and closes the
 * connection before reading a byte from it. Either way the client gets no session.
 */
const KINDS: ServerKind[] = ["reference", "zkts"];
const pki = new Pki();
let ca: CertificateAuthority;
let crl: CrlAuthority;
let alice: Identity;
let mallory: Identity;
let noDistributionPoint: Identity;
const servers = new Map<ServerKind, TlsServer>();

beforeAll(async () => {
  ca = pki.authority("CRL Test CA");
  crl = new CrlAuthority(ca, pki.dir, await freePort());
  const serverIdentity = pki.identity(ca, "crl-server", "/CN=127.0.0.1/O=zkts", [crl.distributionPoint]);
  alice = pki.identity(ca, "crl-alice", "/O=zkts/CN=alice", [crl.distributionPoint]);
  mallory = pki.identity(ca, "crl-mallory", "/O=zkts/CN=mallory", [crl.distributionPoint]);
  noDistributionPoint = pki.identity(ca, "crl-nodp", "/O=zkts/CN=nodp");
  crl.revoke(mallory);
  crl.publish();
  await crl.serve();
  const started = await Promise.all(KINDS.map((kind) => startTlsServer(kind, serverIdentity, ca, { "ssl.crl": "true" })));
  KINDS.forEach((kind, i) => servers.set(kind, started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.server.cleanup()));
  crl?.close();
  pki.cleanup();
});

async function onBoth<T>(scenario: (s: TlsServer) => Promise<T>): Promise<{ reference: T; zkts: T }> {
  const [reference, zkts] = await Promise.all(KINDS.map((kind) => scenario(servers.get(kind)!)));
  return { reference: reference!, zkts: zkts! };
}

/** @zkts/client over TLS with `identity`: the data of / as the session read it, or the connect error. */
async function zktsClientRead(port: number, identity: Identity): Promise<string> {
  const tls = { ca: readFileSync(ca.certPem), key: readFileSync(identity.keyPem), cert: readFileSync(identity.certPem) };
  try {
    const client = await connect(`127.0.0.1:${port}`, { tls, sessionTimeoutMs: 6000, connectAttemptsMax: 2 });
    try {
      return (await client.whoAmI()).find((i) => i.authScheme === "x509")?.user ?? "no x509 id";
    } finally {
      await client.close();
    }
  } catch {
    return "no session";
  }
}

describe("ssl.crl=true on the client port, compared with ZooKeeper 3.8", () => {
  it("serves a certificate its CRL does not list and refuses the revoked one (four-letter words over TLS)", async () => {
    const seen = await onBoth(async (s) => ({
      alice: await tlsWord(s.securePort, "ruok", ca, alice),
      mallory: (await tlsWord(s.securePort, "ruok", ca, mallory)).answer,
      noDistributionPoint: (await tlsWord(s.securePort, "ruok", ca, noDistributionPoint)).answer,
    }));
    expect(seen.reference).toEqual({ alice: { handshake: "ok", answer: "imok" }, mallory: "", noDistributionPoint: "" });
    expect(seen.zkts).toEqual(seen.reference);
    // Java refuses inside the handshake; zkts after it (see above).
    expect((await tlsWord(servers.get("reference")!.securePort, "ruok", ca, mallory)).handshake).toBe("refused");
    const log = readFileSync(servers.get("zkts")!.server.logPath, "utf8");
    expect(log).toMatch(/CN=mallory.*is revoked/);
    expect(log).toMatch(/revocation status of .*CN=nodp.* unknown: it names no CRL distribution point/);
    expect(crl.fetches).toBeGreaterThan(0);
  });

  it("gives kazoo and @zkts/client a session with the good certificate and none with the revoked one", async () => {
    const kazooScript = 'print("SESSION", client.client_id[0] != 0)';
    const seen = await onBoth(async (s) => ({
      kazooAlice: (await kazooTls(s.securePort, kazooScript, alice, ca)).stdout.trim(),
      kazooMallory: (await kazooTls(s.securePort, kazooScript, mallory, ca)).stdout.trim(),
      zktsClientAlice: await zktsClientRead(s.securePort, alice),
      zktsClientMallory: await zktsClientRead(s.securePort, mallory),
    }));
    expect(seen.reference).toEqual({ kazooAlice: "SESSION True", kazooMallory: "", zktsClientAlice: "CN=alice,O=zkts", zktsClientMallory: "no session" });
    expect(seen.zkts).toEqual(seen.reference);
  }, 120_000);
});

describe("ssl.quorum.crl=true between members", () => {
  let ensemble: RunningEnsemble;
  const members = new Map<number, Identity>();
  let revokedMember: Identity;

  beforeAll(() => {
    for (const id of [1, 2, 3]) members.set(id, pki.identity(ca, `crl-member${id}`, `/O=zkts/CN=member${id}`, [crl.distributionPoint]));
    // A second certificate for member 3, revoked before the ensemble starts.
    revokedMember = pki.identity(ca, "crl-member3-revoked", "/O=zkts/CN=member3", [crl.distributionPoint]);
    crl.revoke(revokedMember);
    crl.publish();
  });

  afterAll(async () => {
    await ensemble?.cleanup();
  });

  it("refuses a member whose certificate is revoked; the others keep serving", async () => {
    const quorumKeys = (id: number) => ({ ...storeKeys("ssl.quorum", members.get(id)!.keyStoreP12, ca.trustStoreP12), "ssl.quorum.crl": "true" });
    ensemble = await startZktsEnsemble({ voters: 3, config: { sslQuorum: "true" }, memberConfig: quorumKeys });
    await ensemble.waitForLeader();
    const [one, two, three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];

    // Member 3 comes back with its revoked certificate.
    await three.server.stop();
    const config = readFileSync(three.server.configPath, "utf8").replace(members.get(3)!.keyStoreP12, revokedMember.keyStoreP12);
    writeFileSync(three.server.configPath, config);
    const logPath = join(three.server.dataDir, "revoked.log");
    const log = openSync(logPath, "a");
    const { file, args } = ensembleMemberCommand("zkts", three.server.configPath, {});
    const child = spawn(file, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    try {
      // Bounded: the members refuse it on every attempt, so it never serves.
      let refusals = "";
      for (let i = 0; i < 60 && !/member3.*is revoked/.test(refusals); i++) {
        await sleep(250);
        refusals = [one, two].map((m) => readFileSync(m.server.logPath, "utf8")).join("");
      }
      expect(refusals).toMatch(/CN=member3.*\(serial [0-9a-f]+\) is revoked/);
      const modes = await Promise.all([one, two, three].map((m) => fourLetterWord("127.0.0.1", m.server.port, "srvr", 2000).catch(() => "")));
      expect(modes[2]).not.toMatch(/^Mode:/m);
      expect(
        modes
          .slice(0, 2)
          .map((m) => /^Mode: (\w+)$/m.exec(m)?.[1])
          .sort(),
      ).toEqual(["follower", "leader"]);
      expect(child.exitCode).toBeNull();
      // Member 3 dialled the others too, and they present good certificates: it refused nobody.
      expect(readFileSync(logPath, "utf8")).not.toMatch(/is revoked/);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
