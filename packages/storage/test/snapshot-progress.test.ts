import { stat as fileStat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { writeSnapshot } from "../src/index.js";
import { smallTree, withTempDir } from "./support/fixtures.js";

describe("writeSnapshot progress", () => {
  it("reports growing node and byte totals while encoding, never past what is written", async () => {
    await withTempDir(async (dir) => {
      const nodes = smallTree(3000);
      const reports: { nodes: number; bytes: number }[] = [];
      const written = await writeSnapshot(
        { sessions: new Map(), acls: new Map(), nodes },
        { dataDir: dir, zxid: 5n, fsync: false, onProgress: (p) => reports.push(p) },
      );
      expect(reports.length).toBe(Math.floor(nodes.length / 256));
      expect(reports.map((r) => r.nodes)).toEqual(reports.map((_, i) => (i + 1) * 256));
      for (let i = 1; i < reports.length; i++) expect(reports[i]!.bytes).toBeGreaterThan(reports[i - 1]!.bytes);
      expect(reports.at(-1)!.bytes).toBeLessThan(written.bytes);
      expect((await fileStat(written.path)).size).toBe(written.bytes);
    });
  });
});
