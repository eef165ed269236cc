import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, ensembleMemberCommand, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, type Identity, Pki, storeKeys } from "./tls/pki.js";
import { expectServingWithout } from "./tls/quorum-modes.js";

/**
 * TLS between ensemble members (sslQuorum with ssl.quorum.* stores): a member whose
 * certificate comes from another CA is refused by the others and never joins, while the rest
 * keep serving; and an ensemble moves from plain to TLS one member at a time with
 * portUnification, serving throughout.
 */
const pki = new Pki();
let ca: CertificateAuthority;
let stranger: CertificateAuthority;
const members = new Map<number, Identity>();

beforeAll(() => {
  ca = pki.authority("Ensemble CA");
  stranger = pki.authority("Stranger CA");
  for (const id of [1, 2, 3]) members.set(id, pki.identity(ca, `member${id}`, `/O=zkts/CN=member${id}`));
});

afterAll(() => pki.cleanup());

function quorumStores(id: number): Record<string, string> {
  return storeKeys("ssl.quorum", members.get(id)!.keyStoreP12, ca.trustStoreP12);
}

/** A write through one member read back through another (after a sync), or the error. */
async function replicates(from: EnsembleMember, to: EnsembleMember, path: string): Promise<string> {
  const writer = await connect(from.server.connectString, { sessionTimeoutMs: 6000 });
  const reader = await connect(to.server.connectString, { sessionTimeoutMs: 6000 });
  try {
    await writer.create(path, "v");
    await reader.sync(path);
    return (await reader.getData(path)).data.toString();
  } finally {
    await Promise.all([writer.close(), reader.close()]);
  }
}

/** Rewrites keys of a member's zoo.cfg (the testkit writes one key=value per line). */
function rewriteConfig(member: EnsembleMember, changes: Record<string, string>): void {
  const lines = readFileSync(member.server.configPath, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const kept = lines.filter((l) => !(l.split("=", 1)[0]! in changes));
  writeFileSync(member.server.configPath, [...kept, ...Object.entries(changes).map(([k, v]) => `${k}=${v}`)].join("\n") + "\n");
}

describe("TLS between members", () => {
  let ensemble: RunningEnsemble;

  afterAll(async () => {
    await ensemble?.cleanup();
  });

  it("refuses a member whose certificate another CA signed; the others keep serving", async () => {
    ensemble = await startZktsEnsemble({ voters: 3, config: { sslQuorum: "true" }, memberConfig: quorumStores });
    const leader = await ensemble.waitForLeader();
    const [one, two, three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];
    expect(await replicates(one, three, "/over-tls")).toBe("v");

    // Member 3 comes back with a certificate from a CA the others do not trust.
    await three.server.stop();
    const intruder = pki.identity(stranger, "intruder", "/O=zkts/CN=member3");
    rewriteConfig(three, { "ssl.quorum.keyStore.location": intruder.keyStoreP12 });
    const logPath = join(three.server.dataDir, "intruder.log");
    const log = openSync(logPath, "a");
    const { file, args } = ensembleMemberCommand("zkts", three.server.configPath, {});
    const child = spawn(file, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    try {
      await sleep(3000);
      await expectServingWithout([one, two], three);
      expect(child.exitCode).toBeNull();
      const survivor = leader === three ? one : leader;
      const other = survivor === one ? two : one;
      expect(await replicates(survivor, other, "/without-three")).toBe("v");
      // The members said why: the intruder's certificate failed their trust store.
      const refusals = [one, two].map((m) => readFileSync(m.server.logPath, "utf8")).join("");
      expect(refusals).toMatch(/TLS (handshake failed|connection refused)/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("moves from plain to TLS one member at a time with portUnification, serving throughout", async () => {
    await ensemble?.cleanup();
    ensemble = await startZktsEnsemble({ voters: 3, config: { portUnification: "true", sslQuorum: "false" }, memberConfig: quorumStores });
    await ensemble.waitForLeader();
    for (const member of ensemble.members) {
      await member.server.stop();
      rewriteConfig(member, { sslQuorum: "true" });
      await member.server.restart();
      await ensemble.waitForLeader();
      const others = ensemble.members.filter((m) => m !== member);
      expect(await replicates(member, others[0]!, `/upgraded-${member.id}`)).toBe("v");
    }
    // Every member now dials over TLS; the unified ports still take it.
    const [one, , three] = ensemble.members as [EnsembleMember, EnsembleMember, EnsembleMember];
    expect(await replicates(three, one, "/all-tls")).toBe("v");
  });
});
