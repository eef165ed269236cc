import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/index.js";

import { ALLOWED as RULES, PURE_EXCEPTIONS as EXCEPTIONS, PURE_SOURCES } from "../../../scripts/architecture-rules.mjs";

/**
 * The import directions of ARCHITECTURE.md, written down once in scripts/architecture-rules.mjs
 * and checked here against the package.json files: each workspace package may depend (at run
 * time) only on the zkts packages listed there, and the cores that a simulation must drive
 * deterministically use no sockets, files, timers, clocks or ambient randomness.
 */
const ALLOWED = RULES;
/** Entry points of pure packages that are programs, allowed to read the real clock. */
const PURE_EXCEPTIONS = new Set<string>(EXCEPTIONS);
const FORBIDDEN = [
  /from "node:(net|fs|fs\/promises|timers|timers\/promises|dgram|http)"/,
  /\bDate\.now\(/,
  /\bMath\.random\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  /\bperformance\.now\(/,
  /\bnew Date\(\)/,
];

function workspacePackages(): { dir: string; name: string; dependencies: string[]; devDependencies: string[] }[] {
  const out = [];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(join(repoRoot, group))) {
      const manifest = join(repoRoot, group, entry, "package.json");
      if (existsSync(manifest)) out.push(read(join(group, entry), manifest));
    }
  }
  out.push(read("lab", join(repoRoot, "lab/package.json")));
  return out;
}

function read(dir: string, manifest: string) {
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return {
    dir,
    name: pkg.name,
    dependencies: Object.keys(pkg.dependencies ?? {}),
    devDependencies: Object.keys(pkg.devDependencies ?? {}),
  };
}

function sourceFiles(dir: string): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [dir];
  const out: string[] = [];
  for (const entry of readdirSync(abs)) {
    const path = join(abs, entry);
    const rel = relative(repoRoot, path);
    if (PURE_EXCEPTIONS.has(rel)) continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(rel));
    else if (entry.endsWith(".ts")) out.push(rel);
  }
  return out;
}

describe("package boundaries", () => {
  const packages = workspacePackages();

  it("knows every workspace package", () => {
    expect(packages.map((p) => p.name).filter((name) => !(name in ALLOWED))).toEqual([]);
  });

  it.each(packages.map((p) => [p.name, p.dependencies] as const))("%s depends only on what it may import", (name, deps) => {
    const zkts = deps.filter((d) => d.startsWith("@zkts/") || d.startsWith("zkts-"));
    expect(zkts.filter((d) => !ALLOWED[name]!.includes(d))).toEqual([]);
  });

  it("imports in source match the declared dependencies", () => {
    const problems: string[] = [];
    for (const p of packages) {
      for (const file of sourceFiles(join(p.dir, "src"))) {
        const text = readFileSync(join(repoRoot, file), "utf8");
        for (const match of text.matchAll(/from "(@zkts\/[a-z-]+|zkts-[a-z]+)/g)) {
          const declared = p.dependencies.includes(match[1]!);
          // Programs that start servers (the benchmark's comparison) may use the test harness.
          const harness = match[1] === "@zkts/testkit" && p.devDependencies.includes(match[1]);
          if (match[1] !== p.name && !declared && !harness) problems.push(`${file} imports ${match[1]}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("keeps the deterministic cores free of I/O, timers, clocks and ambient randomness", () => {
    const problems: string[] = [];
    for (const dir of PURE_SOURCES) {
      for (const file of sourceFiles(dir)) {
        const lines = readFileSync(join(repoRoot, file), "utf8").split("\n");
        lines.forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return;
          for (const pattern of FORBIDDEN) if (pattern.test(line)) problems.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });
});
