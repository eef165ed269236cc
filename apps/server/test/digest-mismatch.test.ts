import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { adler32, scanLogFile } from "@zkts/storage";
import { type RunningServer, fourLetterWord, runKazoo, startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";

/**
 * A digest that disagrees with the tree is reported, not fatal, as in ZooKeeper 3.8: a log entry
 * whose TxnDigest was altered (and its checksum made valid again) makes zkts log "digests are
 * not matching" for that zxid and count it in mntr, and the server still serves the tree.
 */
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.cleanup();
});

async function mntrValue(server: RunningServer, key: string): Promise<string | undefined> {
  const mntr = await fourLetterWord("127.0.0.1", server.port, "mntr");
  return new RegExp(`^${key}\\s+(\\S+)$`, "m").exec(mntr)?.[1];
}

/** Flips the TxnDigest of the last entry of the newest log (the record's last 8 bytes) and reseals it. */
function alterLastDigest(dataDir: string): bigint {
  const dir = join(dataDir, "version-2");
  const log = readdirSync(dir)
    .filter((f) => f.startsWith("log."))
    .sort()
    .at(-1)!;
  const bytes = readFileSync(join(dir, log));
  const last = scanLogFile(log, bytes).entries.at(-1)!;
  const digestAt = last.txnBytes.byteOffset - bytes.byteOffset + last.txnBytes.length - 8;
  bytes.writeBigInt64BE(bytes.readBigInt64BE(digestAt) ^ 0x5a5an, digestAt);
  bytes.writeBigInt64BE(BigInt(adler32(last.txnBytes)), last.offset);
  writeFileSync(join(dir, log), bytes);
  return last.zxid;
}

describe("a tree digest mismatch on load", () => {
  it("is logged and counted, and the server keeps serving", async () => {
    const zkts = await startZkts({});
    running.push(zkts);
    const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${zkts.connectString}", timeout=30)
zk.start(timeout=15)
for i in range(10):
    zk.create("/n%d" % i, b"x")
zk.set("/n3", b"last")
zk.stop()
print("ok", flush=True)
`);
    expect(result.stdout, result.stderr).toContain("ok");
    await zkts.stop();
    const zxid = alterLastDigest(zkts.dataDir);
    await zkts.restart();
    expect(await mntrValue(zkts, "zk_digest_mismatches_count")).toBe("1");
    const mismatch = readFileSync(zkts.logPath, "utf8")
      .split("\n")
      .filter((line) => line.includes("digests are not matching"))
      .map((line) => JSON.parse(line) as { zxid: string; where: string });
    expect(mismatch).toEqual([expect.objectContaining({ zxid: `0x${zxid.toString(16)}`, where: "replaying the transaction log" })]);
    expect(await mntrValue(zkts, "zk_znode_count")).toBe("15");
  }, 90_000);
});
