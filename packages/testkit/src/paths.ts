import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Walks up from this file to the directory whose package.json declares the workspaces. */
function findRepoRoot(start: string): string | null {
  let dir = start;
  for (let depth = 0; depth < 10; depth++) {
    if (existsSync(join(dir, "turbo.json")) && existsSync(join(dir, "packages"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

const checkoutRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * Absolute path of the monorepo root (works from src/ under vitest and from dist/). Installed
 * from npm, outside a checkout, it is the working directory: the project using the testkit.
 */
export const repoRoot: string = checkoutRoot ?? process.cwd();

/** Where the Debian packages put the reference ZooKeeper and its clients. */
export const debian = {
  java: "/usr/bin/java",
  javaDir: "/usr/share/java",
  zookeeperJar: "/usr/share/java/zookeeper.jar",
  zkCli: "/usr/share/zookeeper/bin/zkCli.sh",
  cliMt: "/usr/lib/zookeeper/bin/cli_mt",
  python: "/usr/bin/python3",
} as const;

/**
 * The V8 flags the server runs with, as its launcher (bin/zkts-server.js) passes them: read
 * from the zkts.nodeFlags of the package.json beside the entry point's dist/, so a server the
 * testkit starts runs as `zkts-server` does. None when that package.json has none.
 */
export function zktsServerNodeFlags(main = zktsServerMain()): string[] {
  const manifest = join(dirname(dirname(main)), "package.json");
  if (!existsSync(manifest)) return [];
  const flags = (JSON.parse(readFileSync(manifest, "utf8")) as { zkts?: { nodeFlags?: unknown } }).zkts?.nodeFlags;
  return Array.isArray(flags) ? flags.filter((f): f is string => typeof f === "string") : [];
}

/**
 * The zkts server entry point: $ZKTS_SERVER_MAIN if set; in a checkout, the one apps/server
 * builds; installed from npm, the zkts-server package installed next to the testkit or in the
 * working directory's project.
 */
export function zktsServerMain(): string {
  const fromEnv = process.env.ZKTS_SERVER_MAIN;
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  if (checkoutRoot !== null) return resolve(checkoutRoot, "apps/server/dist/main.js");
  for (const base of [import.meta.url, join(process.cwd(), "package.json")]) {
    try {
      return join(dirname(createRequire(base).resolve("zkts-server/package.json")), "dist/main.js");
    } catch {
      // Not installed where this base looks: try the next.
    }
  }
  throw new Error("cannot find zkts-server: install it (npm install zkts-server) or set ZKTS_SERVER_MAIN");
}
