import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeFs } from "../src/fs.js";
import { withTempDir } from "./support/fixtures.js";

describe("the real file system's writes", () => {
  it("writes inline and through the thread pool to the same effect, at any position", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "f");
      const file = await nodeFs.open(path, "createNew");
      await file.writeAt(Buffer.from("aaaa"), 0, true);
      await file.writeAt(Buffer.from("bb"), 1);
      await file.writeAt(Buffer.from("c"), 6, true);
      // Past the inline limit the write goes to the thread pool whatever the caller asked.
      const large = Buffer.alloc(2 * 1024 * 1024, 0x64);
      await file.writeAt(large, 7, true);
      await file.datasync();
      await file.close();
      const back = await readFile(path);
      expect(back.subarray(0, 7)).toEqual(Buffer.from([0x61, 0x62, 0x62, 0x61, 0, 0, 0x63]));
      expect(back.length).toBe(7 + large.length);
      expect(back.subarray(7).equals(large)).toBe(true);
    });
  });

  it("turns an inline write's error into a rejection, as a pooled write's", async () => {
    await withTempDir(async (dir) => {
      await (await nodeFs.open(join(dir, "f"), "createNew")).close();
      // Opened for reading only: the system refuses the write.
      const file = await nodeFs.open(join(dir, "f"), "read");
      const inline = file.writeAt(Buffer.from("x"), 0, true);
      expect(inline).toBeInstanceOf(Promise);
      await expect(inline).rejects.toMatchObject({ code: "EBADF" });
      await expect(file.writeAt(Buffer.from("x"), 0)).rejects.toMatchObject({ code: "EBADF" });
      await file.close();
    });
  });
});
