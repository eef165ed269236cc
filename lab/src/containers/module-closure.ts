import { existsSync } from "node:fs";
import { lstat, readFile, readdir, readlink, realpath, stat } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The files a Node program loads, as paths relative to the repository root, ready to copy. */
export interface AppFiles {
  /** Regular files to copy. */
  readonly files: readonly string[];
  /** Symlinks to recreate, relative path -> link text (npm links workspace packages into node_modules). */
  readonly links: ReadonlyMap<string, string>;
}

const BUILTINS = new Set(builtinModules);

/**
 * Every module specifier in compiled ESM: static `import ... from "x"`, `export ... from "x"`,
 * bare `import "x"` and `import("x")` with a literal. Type-only imports are already erased by
 * tsc, so what remains is what Node loads.
 */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const staticForm = /(?:^|[\s;])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?(["'])([^"'\n]+)\1/gm;
  const dynamicForm = /\bimport\(\s*(["'])([^"'\n]+)\1\s*\)/g;
  for (const form of [staticForm, dynamicForm]) {
    for (const match of source.matchAll(form)) found.push(match[2]!);
  }
  return found;
}

/** `@scope/name/sub` -> `@scope/name` and `./sub`; `name/sub` -> `name` and `./sub`. */
export function splitBareSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const nameParts = specifier.startsWith("@") ? 2 : 1;
  const rest = parts.slice(nameParts).join("/");
  return { name: parts.slice(0, nameParts).join("/"), subpath: rest === "" ? "." : `./${rest}` };
}

/** The file a package's `exports` (or `main`) gives for a subpath, under the import or default condition. */
export function packageEntry(manifest: { exports?: unknown; main?: string }, subpath: string): string | null {
  const pick = (target: unknown): string | null => {
    if (typeof target === "string") return target;
    if (target !== null && typeof target === "object") {
      const conditions = target as Record<string, unknown>;
      for (const key of ["node", "import", "default"]) {
        const chosen = key in conditions ? pick(conditions[key]) : null;
        if (chosen !== null) return chosen;
      }
    }
    return null;
  };
  const exports = manifest.exports;
  if (exports !== undefined) {
    const map =
      typeof exports === "string" || (typeof exports === "object" && exports !== null && !Object.keys(exports).some((k) => k.startsWith(".")))
        ? { ".": exports }
        : (exports as Record<string, unknown>);
    return subpath in map ? pick(map[subpath]) : null;
  }
  if (subpath === ".") return manifest.main ?? "index.js";
  return subpath;
}

/**
 * What `node <entry>` loads, found by following the import graph from the entries: the
 * repository's own compiled files one by one (with the package.json that makes them ESM),
 * and every npm package reached (whole, with its dependencies by package.json, since their
 * internals are not ours to trace). Workspace packages are followed through the node_modules
 * links npm made, and those links are kept so the copy resolves as the checkout does.
 */
export async function nodeAppFiles(root: string, entries: readonly string[]): Promise<AppFiles> {
  const realRoot = await realpath(root);
  const files = new Set<string>();
  const links = new Map<string, string>();
  const visitedModules = new Set<string>();
  const visitedPackages = new Set<string>();
  const pending = await Promise.all(entries.map((e) => realpath(resolve(root, e))));

  const inRoot = (path: string): string => {
    const rel = relative(realRoot, path);
    if (rel.startsWith("..")) throw new Error(`${path} is outside ${realRoot}`);
    return rel;
  };
  const addPackageJsonOf = (file: string) => {
    for (let dir = dirname(file); dir.startsWith(realRoot); dir = dirname(dir)) {
      if (existsSync(join(dir, "package.json"))) {
        files.add(inRoot(join(dir, "package.json")));
        return;
      }
    }
  };
  /** Finds `name` as Node does from `fromDir`: the nearest node_modules/name above it. */
  const locate = async (name: string, fromDir: string): Promise<{ path: string; real: string }> => {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(candidate)) {
        if ((await lstat(candidate)).isSymbolicLink()) links.set(inRoot(candidate), await readlink(candidate));
        return { path: candidate, real: await realpath(candidate) };
      }
      if (dir === dirname(dir) || !dir.startsWith(realRoot)) throw new Error(`cannot find package ${name} from ${fromDir}`);
    }
  };
  const addWholePackage = async (dir: string): Promise<void> => {
    if (visitedPackages.has(dir)) return;
    visitedPackages.add(dir);
    await addTree(dir);
    const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const deps = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})];
    for (const dep of deps) {
      const found = await locate(dep, dir).catch(() => null);
      if (found !== null) await addWholePackage(found.real);
    }
  };
  const addTree = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) links.set(inRoot(path), await readlink(path));
      else if (entry.isDirectory()) await addTree(path);
      else if (entry.isFile()) files.add(inRoot(path));
    }
  };

  while (pending.length > 0) {
    const file = pending.pop()!;
    if (visitedModules.has(file)) continue;
    visitedModules.add(file);
    files.add(inRoot(file));
    addPackageJsonOf(file);
    for (const specifier of importSpecifiers(await readFile(file, "utf8"))) {
      if (specifier.startsWith("node:") || BUILTINS.has(specifier)) continue;
      if (specifier.startsWith(".") || specifier.startsWith("/")) {
        const target = resolve(dirname(file), specifier);
        if (!existsSync(target) || !(await stat(target)).isFile()) throw new Error(`${file} imports ${specifier}, which is not a file`);
        pending.push(await realpath(target));
        continue;
      }
      const { name, subpath } = splitBareSpecifier(specifier);
      const found = await locate(name, dirname(file));
      const isWorkspacePackage = !found.real.split(sep).includes("node_modules");
      if (!isWorkspacePackage) {
        await addWholePackage(found.real);
        continue;
      }
      const manifest = JSON.parse(await readFile(join(found.real, "package.json"), "utf8")) as { exports?: unknown; main?: string };
      const entry = packageEntry(manifest, subpath);
      if (entry === null) throw new Error(`${file} imports ${specifier}, which ${name}'s exports do not offer`);
      pending.push(await realpath(join(found.real, entry)));
    }
  }
  return { files: [...files].sort(), links };
}
