import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { userInfo } from "node:os";
import { type RunningEnsemble, type RunningServer, repoRoot, runKazoo, startReferenceZooKeeper, startZkts, startZktsEnsemble } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";

/**
 * audit.enable=true: zkts writes the same audit lines as ZooKeeper 3.8 for the same client
 * session (ZooKeeper's Slf4jAuditLogger lines in its log; zkts's records marked
 * "logger":"audit" on standard error): serverStart, each create (with its mode), setData,
 * setAcl (with the ACL as 3.8 prints it), delete, a multi's operations one by one, failed
 * writes as result=failure naming the requested path, a failed multi as one multiOperation
 * failure, the ephemerals a closing session leaves (one line each, in the order of 3.8's hash
 * set, which zkts's close txn follows), and serverStop. Session ids differ between the servers and are compared as a shape.
 */
const running: RunningServer[] = [];
let ensemble: RunningEnsemble | null = null;
afterEach(async () => {
  for (const s of running.splice(0)) await s.cleanup();
  await ensemble?.cleanup();
  ensemble = null;
});

const WORKLOAD = (hosts: string) => `
from kazoo.client import KazooClient
from kazoo.security import make_acl
from kazoo.exceptions import NodeExistsError, NoNodeError
zk = KazooClient(hosts="${hosts}", timeout=30)
zk.start(timeout=15)
zk.add_auth("digest", "alice:secret")
zk.create("/a", b"1")
zk.create("/a/s-", b"", sequence=True, ephemeral=True)
zk.create("/a/e", b"", ephemeral=True)
try: zk.create("/a", b"1")
except NodeExistsError: pass
zk.set("/a", b"2")
try: zk.set("/nope", b"2")
except NoNodeError: pass
zk.set_acls("/a", [make_acl("world", "anyone", all=True), make_acl("ip", "127.0.0.1", read=True)])
t = zk.transaction(); t.create("/m1", b""); t.create("/m1/q-", b"", sequence=True); t.set_data("/a", b"3"); t.check("/a", 2); t.delete("/m1/q-0000000000"); t.delete("/m1"); t.commit()
t = zk.transaction(); t.create("/m2", b""); t.delete("/nope"); t.commit()
try: zk.delete("/nope")
except NoNodeError: pass
zk.delete("/a", recursive=True)
for i in range(30):
    zk.create("/left-%d" % i, b"", ephemeral=True)
zk.stop()
print("workload done", flush=True)
`;

/** The audit lines of a server's log, session ids replaced by their first-seen order. */
function auditLines(server: RunningServer): string[] {
  const text = readFileSync(server.logPath, "utf8");
  const lines =
    server.kind === "reference"
      ? text
          .split("\n")
          .filter((l) => l.includes("audit.Slf4jAuditLogger - "))
          .map((l) => `${/\] (\w+) /.exec(l)![1]} ${l.substring(l.indexOf("Slf4jAuditLogger - ") + "Slf4jAuditLogger - ".length)}`)
      : text
          .split("\n")
          .filter((l) => l.includes('"logger":"audit"'))
          .map((l) => JSON.parse(l) as { level: string; message: string })
          .map((r) => `${r.level.toUpperCase()} ${r.message}`);
  const sessions = new Map<string, string>();
  return lines.map((l) =>
    l.replace(/session=(0x[0-9a-f]+)/, (_, id: string) => {
      if (!sessions.has(id)) sessions.set(id, `S${sessions.size + 1}`);
      return `session=${sessions.get(id)}`;
    }),
  );
}

async function auditOf(server: RunningServer): Promise<string[]> {
  running.push(server);
  const result = await runKazoo(WORKLOAD(server.connectString));
  expect(result.stdout, result.stderr).toContain("workload done");
  await server.stop();
  return auditLines(server);
}

describe("audit log (audit.enable)", () => {
  it("writes ZooKeeper 3.8's audit lines for the same writes", async () => {
    const config = { "audit.enable": "true" };
    const reference = await auditOf(await startReferenceZooKeeper({ config }));
    const zkts = await auditOf(await startZkts({ config }));
    console.log(reference.join("\n"));
    expect(reference.length).toBeGreaterThan(12);
    expect(zkts).toEqual(reference);
  }, 120_000);

  it("writes nothing to the audit without audit.enable", async () => {
    expect(await auditOf(await startZkts({}))).toEqual([]);
  }, 60_000);

  it("is written by the ensemble member the client is connected to", async () => {
    ensemble = await startZktsEnsemble({ voters: 3, config: { "audit.enable": "true" } });
    const leader = await ensemble.waitForLeader();
    const member = ensemble.members.find((m) => m !== leader)!;
    const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${member.server.connectString}", timeout=30)
zk.start(timeout=15)
zk.create("/audited", b"1", ephemeral=True)
zk.set("/audited", b"2")
zk.stop()
print("ok", flush=True)
`);
    expect(result.stdout, result.stderr).toContain("ok");
    const lines = auditLines(member.server).map((l) => l.replace(/^INFO /, ""));
    expect(lines[0]).toBe(`user=${userInfo().username}\toperation=serverStart\tresult=success`);
    expect(lines.slice(1, 3)).toEqual([
      "session=S1\tuser=127.0.0.1\tip=127.0.0.1\toperation=create\tznode=/audited\tznode_type=ephemeral\tresult=success",
      "session=S1\tuser=127.0.0.1\tip=127.0.0.1\toperation=setData\tznode=/audited\tresult=success",
    ]);
    // Every member deletes a closed session's ephemerals and audits that; only this one audits the writes.
    expect(auditLines(leader.server).slice(1)).toEqual([
      "INFO session=S1\tuser=" + userInfo().username + "\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/audited\tresult=success",
    ]);
  }, 120_000);

  it("records a start that failed (the client port is taken) as serverStart failure", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), "zkts-audit-"));
    try {
      writeFileSync(
        join(dir, "zoo.cfg"),
        `tickTime=2000\ndataDir=${dir}\nclientPort=${port}\nclientPortAddress=127.0.0.1\naudit.enable=true\nadmin.enableServer=false\n`,
      );
      const failure = await promisify(execFile)(process.execPath, [join(repoRoot, "apps/server/dist/main.js"), "--config", join(dir, "zoo.cfg")], {
        timeout: 30_000,
      }).catch((e) => e);
      expect(failure.code).toBe(1);
      const audit = (failure.stderr as string)
        .split("\n")
        .filter((l) => l.includes('"logger":"audit"'))
        .map((l) => JSON.parse(l).message);
      expect(audit).toEqual([`user=${userInfo().username}\toperation=serverStart\tresult=failure`]);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
