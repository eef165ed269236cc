import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

interface Manifest {
  name: string;
  private?: boolean;
  bin?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Every workspace of the repository (packages/*, apps/*, lab) with its manifest. */
export function workspaces(repo: string): { dir: string; manifest: Manifest }[] {
  const dirs = [...["packages", "apps"].flatMap((parent) => readdirSync(join(repo, parent)).map((d) => join(repo, parent, d))), join(repo, "lab")];
  return dirs
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest }));
}

/** The packages the release publishes: every workspace not marked private. */
export function publishable(repo: string): Manifest[] {
  return workspaces(repo)
    .map((w) => w.manifest)
    .filter((m) => m.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}
