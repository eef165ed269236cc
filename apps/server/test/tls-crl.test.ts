import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@zkts/client";
import {
  type EnsembleMember,
  type RunningEnsemble,
  type ServerKind,
  ensembleMemberCommand,
  freePort,
  startReferenceEnsemble,
  startZktsEnsemble,
} from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrlAuthority } from "./tls/crl-authority.js";
import { type CertificateAuthority, type Identity, Pki, storeKeys } from "./tls/pki.js";
import { kazooTls, tlsWord } from "./tls/probes.js";
import { expectServingWithout } from "./tls/quorum-modes.js";
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
 * connection before reading a byte from it. Either way the client gets no session. A CRL
 * republished while the servers run takes effect on both without a restart. Between members
 * (ssl.quorum.crl) a revoked member is kept out of a ZooKeeper 3.8 ensemble and of a zkts one,
 * whose members refuse it both when it connects and when they dial it.
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

describe("a CRL republished while the servers run, compared with ZooKeeper 3.8", () => {
  it("refuses a certificate revoked after it was served, without a restart, once the CRL is fetched again", async () => {
    const carol = pki.identity(ca, "crl-carol", "/O=zkts/CN=carol", [crl.distributionPoint]);
    const before = await onBoth(async (s) => (await tlsWord(s.securePort, "ruok", ca, carol)).answer);
    expect(before).toEqual({ reference: "imok", zkts: "imok" });
    crl.revoke(carol);
    crl.publish();
    // Both servers hold the CRL they fetched for a while (Java's CRL store 30 s, zkts too):
    // ask once a second, a bounded number of times, until carol is refused.
    const attemptsUntilRefused = await onBoth(async (s) => {
      for (let attempt = 1; attempt <= 90; attempt++) {
        if ((await tlsWord(s.securePort, "ruok", ca, carol)).answer === "") return "refused";
        await sleep(1000);
      }
      return "still served";
    });
    expect(attemptsUntilRefused).toEqual({ reference: "refused", zkts: "refused" });
    const aliceAfter = await onBoth(async (s) => (await tlsWord(s.securePort, "ruok", ca, alice)).answer);
    expect(aliceAfter).toEqual({ reference: "imok", zkts: "imok" });
  }, 200_000);
});

describe("ssl.quorum.crl=true between members", () => {
  let ensemble: RunningEnsemble;
  const members = new Map<number, Identity>();
  let revokedMember: Identity;
  let revokedOne: Identity;

  beforeAll(() => {
    for (const id of [1, 2, 3]) members.set(id, pki.identity(ca, `crl-member${id}`, `/O=zkts/CN=member${id}`, [crl.distributionPoint]));
    // Second certificates for members 3 and 1, revoked before the ensembles start.
    revokedMember = pki.identity(ca, "crl-member3-revoked", "/O=zkts/CN=member3", [crl.distributionPoint]);
    revokedOne = pki.identity(ca, "crl-member1-revoked", "/O=zkts/CN=member1", [crl.distributionPoint]);
    // Revoked before the members start: a CRL they fetched is used for 30 s before they ask again.
    crl.revoke(revokedMember);
    crl.revoke(revokedOne);
    crl.publish();
  });

  afterAll(async () => {
    await ensemble?.cleanup();
  });

  const quorumKeys = (id: number) => ({ ...storeKeys("ssl.quorum", members.get(id)!.keyStoreP12, ca.trustStoreP12), "ssl.quorum.crl": "true" });

  /** Stops `member` and starts it again with `identity` as its key store; returns the process and its log. */
  async function restartWith(member: EnsembleMember, identity: Identity, kind: ServerKind = "zkts"): Promise<{ child: ChildProcess; logPath: string }> {
    await member.server.stop();
    const config = readFileSync(member.server.configPath, "utf8").replace(members.get(member.id)!.keyStoreP12, identity.keyStoreP12);
    writeFileSync(member.server.configPath, config);
    const logPath = join(member.server.dataDir, "revoked.log");
    const log = openSync(logPath, "a");
    const { file, args } = ensembleMemberCommand(kind, member.server.configPath, {});
    const child = spawn(file, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    return { child, logPath };
  }

  /** The two members' logs once `pattern` shows in them, or after a bounded wait. */
  async function logsOnceThey(match: RegExp, of: EnsembleMember[]): Promise<string> {
    let logs = "";
    for (let i = 0; i < 120 && !match.test(logs); i++) {
      await sleep(250);
      logs = of.map((m) => readFileSync(m.server.logPath, "utf8")).join("");
    }
    return logs;
  }

  it("refuses a member whose certificate is revoked; the others keep serving", async () => {
    ensemble = await startZktsEnsemble({ voters: 3, config: { sslQuorum: "true" }, memberConfig: quorumKeys });
    await ensemble.waitForLeader();
    const [one, two, three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];

    // Member 3 comes back with its revoked certificate.
    const { child, logPath } = await restartWith(three, revokedMember);
    try {
      const refusals = await logsOnceThey(/member3.*is revoked/, [one, two]);
      expect(refusals).toMatch(/CN=member3.*\(serial [0-9a-f]+\) is revoked/);
      await expectServingWithout([one, two], three);
      expect(child.exitCode).toBeNull();
      // Member 3 dialled the others too, and they present good certificates: it refused nobody.
      expect(readFileSync(logPath, "utf8")).not.toMatch(/is revoked/);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);

  it("ZooKeeper 3.8 does the same: its members refuse a member whose certificate is revoked and keep serving", async () => {
    await ensemble?.cleanup();
    ensemble = await startReferenceEnsemble({ voters: 3, config: { sslQuorum: "true" }, memberConfig: quorumKeys });
    await ensemble.waitForLeader();
    const [one, two, three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];
    const { child } = await restartWith(three, revokedMember, "reference");
    try {
      // Java logs no reason at its default level; member 3's own log shows its handshakes
      // failing. It joined with its good certificate before, so the revocation is what keeps it out.
      const memberLog = join(three.server.dataDir, "revoked.log");
      for (let i = 0; i < 120 && !/Cannot open channel to \d/.test(readFileSync(memberLog, "utf8")); i++) await sleep(250);
      expect(readFileSync(memberLog, "utf8")).toMatch(/Cannot open channel to \d/);
      await sleep(3000);
      await expectServingWithout([one, two], three);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill("SIGKILL");
    }
  }, 180_000);

  it("does not dial into a member whose certificate is revoked: the dialling side checks the certificate it is shown", async () => {
    await ensemble?.cleanup();
    ensemble = await startZktsEnsemble({ voters: 3, config: { sslQuorum: "true" }, memberConfig: quorumKeys });
    await ensemble.waitForLeader();
    const [one, two, three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];
    // Members dial the members with smaller ids on the election port: 2 and 3 dial member 1.
    const { child } = await restartWith(one, revokedOne);
    try {
      const logs = await logsOnceThey(/server certificate refused: .*CN=member1.*is revoked/, [two, three]);
      expect(logs).toMatch(/quorum TLS connection refused.*server certificate refused: certificate \\"O=zkts, CN=member1\\" \(serial [0-9a-f]+\) is revoked/);
      await expectServingWithout([two, three], null);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
