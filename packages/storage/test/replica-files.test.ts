import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installSnapshotFile, readEpochFile, readMembershipFile, removeLogsAfter, writeEpochFile, writeMembershipFile } from "../src/index.js";
import { FaultyFs, errnoError } from "./support/faulty-fs.js";
import { PowerLossFs } from "./support/power-loss-fs.js";

const fresh = (): string => mkdtempSync(join(tmpdir(), "zkts-replica-files-"));

describe("an ensemble member's small files", () => {
  it("keeps the epochs where ZooKeeper does (version-2), reads an older zkts layout, and moves it on the next write", async () => {
    const dataDir = fresh();
    expect(await readEpochFile(dataDir, "acceptedEpoch")).toBeNull();
    writeFileSync(join(dataDir, "currentEpoch"), "4\n");
    expect(await readEpochFile(dataDir, "currentEpoch")).toBe(4);
    await writeEpochFile(dataDir, "currentEpoch", 5);
    expect(readFileSync(join(dataDir, "version-2", "currentEpoch"), "utf8")).toBe("5");
    expect(existsSync(join(dataDir, "currentEpoch"))).toBe(false);
    expect(await readEpochFile(dataDir, "currentEpoch")).toBe(5);
    writeFileSync(join(dataDir, "version-2", "acceptedEpoch"), "five");
    await expect(readEpochFile(dataDir, "acceptedEpoch")).rejects.toThrow(/holds "five", not an epoch/);
  });

  it("replaces a file whole: a failed fsync leaves the old content, a stale temporary file is ignored", async () => {
    const dataDir = fresh();
    const fs = new FaultyFs();
    await writeMembershipFile(dataDir, Buffer.from("server.1=a:1:2\nversion=100000000"), fs);
    writeFileSync(join(dataDir, "zoo.cfg.dynamic.tmp"), "half written");
    fs.beforeSync = () => {
      throw errnoError("EIO", "the disk failed");
    };
    await expect(writeMembershipFile(dataDir, Buffer.from("server.1=a:1:2\nversion=200000003"), fs)).rejects.toThrow(/EIO/);
    expect((await readMembershipFile(dataDir))?.toString()).toBe("server.1=a:1:2\nversion=100000000");
    fs.beforeSync = null;
    await writeMembershipFile(dataDir, Buffer.from("server.1=a:1:2\nversion=200000003"), fs);
    expect((await readMembershipFile(dataDir))?.toString()).toBe("server.1=a:1:2\nversion=200000003");
    expect(readdirSync(dataDir)).toEqual(["zoo.cfg.dynamic"]);
  });

  it("installs a leader's snapshot under its zxid and removes the logs past a truncation point", async () => {
    const dataDir = fresh();
    const path = await installSnapshotFile(dataDir, 0x200000005n, Buffer.from("snapshot bytes"));
    expect(path).toBe(join(dataDir, "version-2", "snapshot.200000005"));
    expect(readFileSync(path, "utf8")).toBe("snapshot bytes");
    const logs = join(dataDir, "version-2");
    mkdirSync(logs, { recursive: true });
    for (const name of ["log.100000001", "log.200000001", "log.200000009", "log.20000000a"]) writeFileSync(join(logs, name), "");
    await removeLogsAfter(dataDir, 0x200000008n);
    expect(
      readdirSync(logs)
        .filter((n) => n.startsWith("log."))
        .sort(),
    ).toEqual(["log.100000001", "log.200000001"]);
  });

  it("makes the removal of logs past a truncation point durable: a power cut does not bring them back", async () => {
    const fs = new PowerLossFs();
    const logs = "/data/version-2";
    await fs.mkdirp(logs);
    for (const name of ["log.100000001", "log.200000009"]) {
      const file = await fs.open(join(logs, name), "createNew");
      await file.writeAt(Buffer.from("x"), 0);
      await file.datasync();
    }
    await fs.syncDir(logs);
    await removeLogsAfter("/data", 0x200000008n, fs);
    // A removal the directory sync did not cover would come back: entries a TRUNC dropped.
    expect(await fs.crash(() => 0.9).list(logs)).toEqual(["log.100000001"]);
  });
});
