import { rm } from "node:fs/promises";
import type { RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { javaTool, snapshotTextParts, versionFiles, writeHistory, zktsServer } from "./inspect/support.js";

const SNAPSHOT_FORMATTER = "org.apache.zookeeper.server.SnapshotFormatter";
const TXN_LOG_TOOLKIT = "org.apache.zookeeper.server.persistence.TxnLogToolkit";

/**
 * zkts-server snapshot and txnlog against ZooKeeper 3.8's own SnapshotFormatter and
 * TxnLogToolkit, on data directories written by ZooKeeper 3.8 and by zkts with the same history.
 */
describe.each(["reference", "zkts"] as const)("inspection of files written by %s", (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await writeHistory(kind);
  }, 120_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  it("prints each snapshot as SnapshotFormatter does (znodes, stats, sessions, last zxid)", async () => {
    const snapshots = versionFiles(server.dataDir, "snapshot.");
    expect(snapshots.length).toBeGreaterThan(3);
    let sawEphemeral = false;
    for (const file of snapshots) {
      // -d (data in base64) on the newest snapshot only: each Java run costs a JVM start.
      for (const dataFlag of file === snapshots.at(-1) ? [[], ["-d"]] : [[]]) {
        const ours = await zktsServer(["snapshot", ...dataFlag, file]);
        expect(ours.code, ours.stderr).toBe(0);
        const theirs = snapshotTextParts(await javaTool(SNAPSHOT_FORMATTER, [...dataFlag, file]));
        const mine = snapshotTextParts(ours.stdout);
        expect(mine.header).toBe(theirs.header);
        expect(mine.nodes).toEqual(theirs.nodes);
        expect(mine.sessions).toEqual(theirs.sessions);
        expect(mine.tail).toEqual(theirs.tail);
        if (theirs.sessions.some((line) => line.endsWith(", 1"))) sawEphemeral = true;
      }
    }
    expect(sawEphemeral).toBe(true);
  }, 120_000);

  it("prints a snapshot as JSON with data as text or base64, ACLs, sessions and the digest", async () => {
    const file = versionFiles(server.dataDir, "snapshot.").at(-1)!;
    const result = await zktsServer(["snapshot", "--json", file]);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    const byPath = new Map<string, { data: unknown; acl: unknown[]; stat: { ephemeralOwner: string } }>(doc.nodes.map((n: { path: string }) => [n.path, n]));
    expect(doc.nodes.length).toBe(doc.nodeCount);
    expect(byPath.get("/n3")!.data).toEqual({ text: "v3" });
    expect(byPath.get("/bin")!.data).toEqual({ base64: Buffer.from([0, 1, 127, 128, 255]).toString("base64") });
    expect(byPath.get("/empty")!.data).toEqual({ text: "two" });
    expect(byPath.get("/a")!.acl).toEqual([{ perms: 31, scheme: "digest", id: expect.stringMatching(/^u:/) }]);
    expect(byPath.get("/n3")!.acl).toEqual([{ perms: 31, scheme: "world", id: "anyone" }]);
    // The session that owns /a/eph was open when the last snapshot was taken.
    const owner = byPath.get("/a/eph")!.stat.ephemeralOwner;
    expect(doc.sessions).toEqual([{ id: owner, timeoutMs: expect.any(Number), ephemeralCount: 1 }]);
    if (kind === "reference") expect(doc.digest).toMatchObject({ version: 2 });
  }, 60_000);

  it("prints each log as TxnLogToolkit does, byte for byte, multi aside", async () => {
    const logs = versionFiles(server.dataDir, "log.");
    expect(logs.length).toBeGreaterThan(2);
    let txns = 0;
    for (const file of logs) {
      const ours = await zktsServer(["txnlog", file]);
      expect(ours.code, ours.stderr).toBe(0);
      const theirs = await javaTool(TXN_LOG_TOOLKIT, [file]);
      // TxnLogToolkit prints a multi's sub-txns as their raw bytes; zkts decodes them.
      const isMulti = (line: string) => / multi /.test(line);
      const withoutMulti = (text: string) => text.split(/\n(?=\d+\/\d+\/\d+, )/).filter((t) => !isMulti(t));
      expect(withoutMulti(ours.stdout)).toEqual(withoutMulti(theirs));
      txns += Number(/EOF reached after (\d+) txns/.exec(ours.stdout)![1]);
      const multi = ours.stdout.split("\n").find(isMulti);
      if (multi !== undefined) {
        expect(multi).toContain(" multi create:/m1,one,[31,s{'world,'anyone}],false,");
        expect(multi).toContain(";setData:/empty,two,");
        expect(multi).toMatch(/;check:'\/bin,\d+;delete:'\/m1$/);
      }
    }
    expect(txns).toBeGreaterThan(15);
  }, 120_000);

  it("prints a log as JSON lines with each txn's fields decoded", async () => {
    const out: Record<string, unknown>[] = [];
    for (const file of versionFiles(server.dataDir, "log.")) {
      const result = await zktsServer(["txnlog", "--json", file]);
      expect(result.code, result.stderr).toBe(0);
      out.push(...result.stdout.trim().split("\n").map((line) => JSON.parse(line)));
    }
    const txns = out.filter((o) => "txn" in o) as { type: string; txn: Record<string, unknown>; zxid: string }[];
    const setA = txns.find((t) => t.type === "setData" && t.txn.path === "/a")!;
    expect(setA.txn.data).toEqual({ text: "world, with a comma}" });
    const multi = txns.find((t) => t.type === "multi")!;
    expect((multi.txn.txns as { type: string }[]).map((t) => t.type)).toEqual(["create", "setData", "check", "delete"]);
    const zxids = txns.map((t) => BigInt(t.zxid));
    expect(zxids).toEqual([...zxids].sort((a, b) => (a < b ? -1 : 1)));
  }, 60_000);

  it("verifies the intact data directory", async () => {
    const result = await zktsServer(["verify", server.dataDir]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/\d+ files checked, 0 damaged/);
  }, 60_000);
});

describe("inspection commands' usage", () => {
  it("each subcommand has --help and refuses a missing file with status 2", async () => {
    for (const name of ["snapshot", "txnlog", "verify"]) {
      const help = await zktsServer([name, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: zkts-server ${name}`);
      expect(help.stdout).toContain("--json");
      const missing = await zktsServer([name]);
      expect(missing.code).toBe(2);
    }
    const top = await zktsServer(["--help"]);
    expect(top.stdout).toContain("zkts-server snapshot --help");
  });

  it("a file that does not exist ends with status 1 and its name", async () => {
    const result = await zktsServer(["snapshot", "/nonexistent/version-2/snapshot.1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/nonexistent/version-2/snapshot.1");
    await rm("/nonexistent", { recursive: true, force: true });
  });
});
