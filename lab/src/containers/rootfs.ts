import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { docker } from "./docker-cli.js";

const run = promisify(execFile);

/** The unprivileged user the lab's containers run as. */
export const IMAGE_USER = { name: "zkts", uid: 1000, gid: 1000 } as const;

/** What a base image holds besides busybox, /etc/passwd and /tmp. */
export interface RootfsSpec {
  /** Host files copied to the same path (symlinks followed, so a file lands where its link was). */
  readonly files: readonly string[];
  /** Symlinks to create, path -> target (e.g. /usr/bin/java -> the JVM's launcher). */
  readonly links?: Readonly<Record<string, string>>;
}

export const BUSYBOX = "/bin/busybox";

/** The fixed part of every base image; part of the image digest, so a change here rebuilds. */
export const ROOTFS_RECIPE = [
  `/etc/passwd: root:x:0:0:root:/root:/bin/sh, ${IMAGE_USER.name}:x:${IMAGE_USER.uid}:${IMAGE_USER.gid}::/tmp:/bin/sh`,
  `/etc/group: root:x:0:, ${IMAGE_USER.name}:x:${IMAGE_USER.gid}:`,
  "/tmp mode 1777, /bin/sh and every busybox applet linked to /bin/busybox",
].join("\n");

/**
 * Lays out a root filesystem in `stage` made of files from this host: the spec's files and
 * links, a static busybox as /bin/sh with its applets, users root and zkts, and /tmp.
 */
export async function stageRootfs(spec: RootfsSpec, stage: string): Promise<void> {
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  for (const file of [...spec.files, BUSYBOX]) {
    const to = join(stage, file);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(file, to);
    await chmod(to, (await stat(file)).mode & 0o7777);
  }
  for (const [path, target] of Object.entries(spec.links ?? {})) {
    await mkdir(dirname(join(stage, path)), { recursive: true });
    await symlink(target, join(stage, path));
  }
  const applets = (await run(BUSYBOX, ["--list-full"])).stdout.split("\n").filter((a) => a.length > 0);
  for (const applet of applets) {
    const at = join(stage, applet);
    await mkdir(dirname(at), { recursive: true });
    await symlink(BUSYBOX, at).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }
  await mkdir(join(stage, "etc"), { recursive: true });
  await writeFile(join(stage, "etc/passwd"), `root:x:0:0:root:/root:/bin/sh\n${IMAGE_USER.name}:x:${IMAGE_USER.uid}:${IMAGE_USER.gid}::/tmp:/bin/sh\n`);
  await writeFile(join(stage, "etc/group"), `root:x:0:\n${IMAGE_USER.name}:x:${IMAGE_USER.gid}:\n`);
  await mkdir(join(stage, "tmp"), { recursive: true });
  await chmod(join(stage, "tmp"), 0o1777);
  await mkdir(join(stage, "root"), { recursive: true });
}

/** `docker import` of the staged tree as `tag`, every file owned by root. */
export async function importRootfs(stage: string, tag: string): Promise<void> {
  await docker(["import", "-", tag], {
    stdinFrom: { file: "tar", args: ["--numeric-owner", "--owner=0", "--group=0", "-C", stage, "-c", "."] },
  });
}

/** Every regular file under `dir`, following symlinks, skipping dangling ones and `skip`ped paths. */
export async function filesUnder(dir: string, skip: (path: string) => boolean = () => false): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if (skip(path)) continue;
    const s = await stat(path).catch(() => null);
    if (s === null) continue;
    if (s.isDirectory()) found.push(...(await filesUnder(path, skip)));
    else if (s.isFile()) found.push(path);
  }
  return found;
}
