import { execFile } from "node:child_process";
import { open, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const FILLER = ".zkts-lab-filler";
const CHUNK_BYTES = 1 << 20;

/**
 * A member's data directory on its own small tmpfs, so the nemesis can fill the disk under it
 * (and free it again) without touching anything else on the machine. A tmpfs outlives the
 * member's process, so kill -9 and restart keep the data, as a disk does. Mounting needs root.
 */
export class SmallDisk {
  private mounted = false;

  constructor(
    readonly dir: string,
    readonly sizeMb: number,
  ) {}

  async mount(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error("a member disk of its own (disk faults) needs root to mount a tmpfs");
    await run("mount", ["-t", "tmpfs", "-o", `size=${this.sizeMb}m,mode=0755`, "tmpfs", this.dir]);
    this.mounted = true;
  }

  /** Takes every free byte with a filler file; writes then fail with ENOSPC. */
  async fill(): Promise<void> {
    const file = await open(join(this.dir, FILLER), "a");
    const zeros = Buffer.alloc(CHUNK_BYTES);
    try {
      // Bounded by the disk's size: each round takes a chunk or ends on ENOSPC.
      for (let written = 0; written <= this.sizeMb * CHUNK_BYTES; written += CHUNK_BYTES) {
        const free = await this.freeBytes();
        if (free === 0) return;
        await file.write(zeros, 0, Math.min(CHUNK_BYTES, free));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
    } finally {
      await file.close();
    }
  }

  async free(): Promise<void> {
    await rm(join(this.dir, FILLER), { force: true });
  }

  async freeBytes(): Promise<number> {
    const s = await statfs(this.dir);
    return s.bavail * s.bsize;
  }

  async unmount(): Promise<void> {
    if (!this.mounted) return;
    this.mounted = false;
    await run("umount", ["-l", this.dir]).catch(() => undefined);
  }
}
