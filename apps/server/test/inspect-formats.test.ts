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
    type Doc = {
      nodes: { path: string; data: unknown; acl: unknown[]; stat: { ephemeralOwner: string } }[];
      nodeCount: number;
      sessions: unknown[];
      digest?: unknown;
    };
    const docs: Doc[] = [];
    for (const file of versionFiles(server.dataDir, "snapshot.").reverse()) {
      const result = await zktsServer(["snapshot", "--json", file]);
      expect(result.code, result.stderr).toBe(0);
      docs.push(JSON.parse(result.stdout));
    }
    for (const doc of docs) expect(doc.nodes.length).toBe(doc.nodeCount);
    // Where the servers take snapshots depends on their randomised snapCount: each check reads
    // the newest snapshot that was taken after the write it looks at.
    const newestWith = (path: string, accept: (node: Doc["nodes"][number]) => boolean = () => true) => {
      for (const doc of docs) {
        const node = doc.nodes.find((n) => n.path === path);
        if (node !== undefined && accept(node)) return { doc, node };
      }
      throw new Error(`no snapshot holds ${path} as expected`);
    };
    expect(newestWith("/n3").node.data).toEqual({ text: "v3" });
    expect(newestWith("/n3").node.acl).toEqual([{ perms: 31, scheme: "world", id: "anyone" }]);
    expect(newestWith("/bin").node.data).toEqual({ base64: Buffer.from([0, 1, 127, 128, 255]).toString("base64") });
    expect(newestWith("/empty", (n) => JSON.stringify(n.data) !== JSON.stringify({ text: "" }) && n.data !== null).node.data).toEqual({ text: "two" });
    expect(newestWith("/a", (n) => (n.acl[0] as { scheme: string }).scheme === "digest").node.acl).toEqual([
      { perms: 31, scheme: "digest", id: expect.stringMatching(/^u:/) },
    ]);
    // A snapshot taken while the session that owns /a/eph was open lists that session.
    const withEphemeral = newestWith("/a/eph");
    expect(withEphemeral.doc.sessions).toContainEqual({ id: withEphemeral.node.stat.ephemeralOwner, timeoutMs: expect.any(Number), ephemeralCount: 1 });
    if (kind === "reference") expect(docs[0]!.digest).toMatchObject({ version: 2 });
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
      out.push(
        ...result.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line)),
      );
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
