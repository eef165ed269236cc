import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Walks up from this file to the directory whose package.json declares the workspaces. */
function findRepoRoot(start: string): string {
  let dir = start;
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(join(dir, "turbo.json")) && existsSync(join(dir, "packages"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the repository root above ${start}`);
}

/** Absolute path of the monorepo root (works from src/ under vitest and from dist/). */
export const repoRoot: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Where the Debian packages put the reference ZooKeeper and its clients. */
export const debian = {
  java: "/usr/bin/java",
  javaDir: "/usr/share/java",
  zookeeperJar: "/usr/share/java/zookeeper.jar",
  zkCli: "/usr/share/zookeeper/bin/zkCli.sh",
  cliMt: "/usr/lib/zookeeper/bin/cli_mt",
  python: "/usr/bin/python3",
} as const;

/** The zkts server entry point built by apps/server. */
export const zktsMain: string = resolve(repoRoot, "apps/server/dist/main.js");
