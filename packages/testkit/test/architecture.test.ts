import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/index.js";

/**
 * The import directions of ARCHITECTURE.md, written down and checked: each workspace package
 * may depend (at run time) only on the zkts packages listed here, and the cores that a
 * simulation must drive deterministically use no sockets, files, timers, clocks or ambient
 * randomness.
 */
const ALLOWED: Record<string, string[]> = {
  "@zkts/jute": [],
  "@zkts/datatree": ["@zkts/jute"],
  "@zkts/zab": [],
  "@zkts/storage": ["@zkts/jute"],
  // SASL mechanisms (DIGEST-MD5) as pure functions over bytes, for the server and the client.
  "@zkts/sasl": [],
  "@zkts/server": ["@zkts/jute", "@zkts/datatree", "@zkts/zab", "@zkts/storage", "@zkts/sasl"],
  "@zkts/client": ["@zkts/jute", "@zkts/sasl"],
  "@zkts/recipes": ["@zkts/client"],
  "@zkts/checker": ["@zkts/cli-args"],
  "@zkts/testkit": [],
  // The embedded test server for Node users: zkts's own server, in the test's process.
  "@zkts/testing": ["@zkts/server"],
  // The commands' shared argument layer (--help, --version, usage errors).
  "@zkts/cli-args": [],
  // Packs the packages and installs the tarballs elsewhere: it imports none of them.
  "@zkts/install-test": [],
  // The server command also reads data files for operators (snapshot, txnlog, verify: storage,
  // jute, and datatree for the digest) and
  // speaks SASL's JAAS configuration.
  "zkts-server": ["@zkts/server", "@zkts/cli-args", "@zkts/jute", "@zkts/datatree", "@zkts/storage", "@zkts/sasl"],
  "zkts-cli": ["@zkts/client", "@zkts/cli-args", "@zkts/sasl"],
  // The load generator speaks the wire protocol directly (jute), so a client library's own
  // overhead does not colour the server figures.
  "zkts-bench": ["@zkts/client", "@zkts/jute", "@zkts/cli-args"],
  // The simulated clients speak the request and response records the server's pipeline reads
  // and writes (jute); the simulated members are the server's Replica and zab core; the
  // process and container drivers start members with testkit's command lines.
  "@zkts/lab": ["@zkts/server", "@zkts/client", "@zkts/checker", "@zkts/jute", "@zkts/testkit", "@zkts/cli-args"],
};

/** Source trees that must stay deterministic: time and randomness arrive as inputs. */
const PURE_SOURCES = [
  "packages/jute/src",
  "packages/datatree/src",
  "packages/zab/src",
  "packages/checker/src",
  "packages/client/src/core",
  // The simulation replays from its seed only if it never reads a real clock or randomness.
  "lab/src/sim",
  "packages/server/src/quorum/replica.ts",
  "packages/server/src/quorum/leader-proposer.ts",
  "packages/server/src/quorum/ready-loop.ts",
];
/** Entry points of pure packages that are programs, allowed to read the real clock. */
const PURE_EXCEPTIONS = new Set(["packages/checker/src/cli.ts", "packages/checker/src/cli"]);
const FORBIDDEN = [/from "node:(net|fs|fs\/promises|timers|timers\/promises|dgram|http)"/, /\bDate\.now\(/, /\bMath\.random\(/, /\bset(Timeout|Interval|Immediate)\(/, /\bperformance\.now\(/, /\bnew Date\(\)/];

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
