#!/usr/bin/env node
// Checks the rules of shared/ARCHITECTURE.md that the compiler does not, as written down in
// scripts/architecture-rules.mjs:
//   1. no import cycle between source files (src/**/*.ts, relative imports, type-only included);
//   2. a workspace package imports only the workspace packages that the rules let it import
//      AND that its package.json declares as dependencies;
//   3. the deterministic cores (jute, datatree, zab, checker, the client's core, what the lab's
//      simulation runs) use no clock, no timer, no ambient randomness and no file or network module.
// It reads the files as text with a small import scanner, so it runs in about a second.
// Every violation is printed with its file paths; the exit code is 1 when there is any.
// Run: node scripts/check-architecture.mjs (npm test runs it as the root task `lint`).
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALLOWED, HARNESS, PURE_EXCEPTIONS, PURE_SOURCES } from "./architecture-rules.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Cycles tolerated while a change takes them apart; none today (the five this check found at
// first are broken). Each entry is the set of files of one strongly connected component, with
// a comment saying who removes it; a cycle passes when all its files are in one entry (it may
// shrink meanwhile), and fails when it reaches any file outside it.
const CYCLE_EXCEPTIONS = [];

const inTree = (path, tree) => path === tree || path.startsWith(`${tree}/`);
const CORE_FORBIDDEN_MODULES =
  /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|dgram|dns|child_process|cluster|worker_threads|timers|timers\/promises|perf_hooks|readline|os)$/;
const CORE_FORBIDDEN_CALLS = [
  [/\bDate\.now\b/, "Date.now"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date() (reads the clock)"],
  [/\bperformance\.now\b/, "performance.now"],
  [/\bprocess\.hrtime\b/, "process.hrtime"],
  [/(?<![.\w])(setTimeout|setInterval|setImmediate)\s*\(/, "a timer"],
  [/\bMath\.random\b/, "Math.random"],
  [/\b(randomBytes|randomUUID|getRandomValues)\s*\(|\bcrypto\.randomInt\b/, "unseeded randomness"],
];

function workspaces() {
  const dirs = [];
  for (const parent of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, parent))) dirs.push(`${parent}/${name}`);
  }
  dirs.push("lab");
  return dirs
    .filter((d) => existsSync(join(root, d, "package.json")))
    .map((d) => {
      const pkg = JSON.parse(readFileSync(join(root, d, "package.json"), "utf8"));
      const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
      return { dir: d, name: pkg.name, deps: new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })), devDeps };
    });
}

function sourceFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

// Blanks comments and the insides of string literals, keeping offsets and line numbers.
function blank(text, keepStrings) {
  let out = "";
  let i = 0;
  const n = text.length;
  const mask = (s) => s.replace(/[^\n]/g, " ");
  while (i < n) {
    const c = text[i];
    const c2 = text[i + 1];
    if (c === "/" && c2 === "/") {
      const end = text.indexOf("\n", i);
      const j = end < 0 ? n : end;
      out += mask(text.slice(i, j));
      i = j;
    } else if (c === "/" && c2 === "*") {
      const end = text.indexOf("*/", i + 2);
      const j = end < 0 ? n : end + 2;
      out += mask(text.slice(i, j));
      i = j;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < n && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      const body = text.slice(i + 1, j);
      out += c + (keepStrings ? body : mask(body)) + (j < n ? c : "");
      i = j + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

const IMPORT_RE = /(?:\bimport|\bexport)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(text) {
  const code = blank(text, true);
  const found = [];
  for (const m of code.matchAll(IMPORT_RE)) {
    const line = code.slice(0, m.index).split("\n").length;
    found.push({ spec: m[1] ?? m[2], line });
  }
  return found;
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m|c)?js$/, ".$1ts"), base, `${base}.ts`, join(base, "index.ts")];
  return candidates.find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

const rel = (p) => relative(root, p);
const violations = [];
const ws = workspaces();
const byName = new Map(ws.map((w) => [w.name, w]));
const graph = new Map();

for (const w of ws) {
  for (const file of sourceFiles(join(root, w.dir, "src"))) {
    const text = readFileSync(file, "utf8");
    const edges = [];
    graph.set(file, edges);
    const path = rel(file);
    const isCore = PURE_SOURCES.some((t) => inTree(path, t)) && !PURE_EXCEPTIONS.some((t) => inTree(path, t));
    for (const { spec, line } of importsOf(text)) {
      if (spec.startsWith(".")) {
        const target = resolveRelative(file, spec);
        if (target) edges.push(target);
        continue;
      }
      if (isCore && CORE_FORBIDDEN_MODULES.test(spec)) {
        violations.push(`core I/O: ${path}:${line} imports ${spec} (ARCHITECTURE.md: the cores touch no files, sockets or clocks)`);
      }
      const pkgName = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (!byName.has(pkgName) || pkgName === w.name) continue;
      const harness = pkgName === HARNESS && w.devDeps.has(pkgName);
      if (!(ALLOWED[w.name] ?? []).includes(pkgName) && !harness) {
        violations.push(`boundary: ${path}:${line} imports ${pkgName}, which scripts/architecture-rules.mjs does not let ${w.name} import`);
      }
      if (!w.deps.has(pkgName) && !harness) {
        violations.push(`boundary: ${path}:${line} imports ${pkgName}, which ${w.dir}/package.json does not declare in dependencies`);
      }
    }
    if (isCore) {
      const code = blank(text, false);
      for (const [re, what] of CORE_FORBIDDEN_CALLS) {
        for (const m of code.matchAll(new RegExp(re.source, "g"))) {
          const line = code.slice(0, m.index).split("\n").length;
          violations.push(`core clock: ${path}:${line} uses ${what} (ARCHITECTURE.md: time arrives as ticks, randomness from a seeded generator)`);
        }
      }
    }
  }
}

// Tarjan's strongly connected components, iteratively (deep import chains must not overflow).
function components(g) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  for (const start of g.keys()) {
    if (idx.has(start)) continue;
    const work = [[start, 0]];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const next = g.get(v) ?? [];
      if (i < next.length) {
        frame[1] += 1;
        const w = next[i];
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === idx.get(v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || next.includes(v)) out.push(comp);
      }
    }
  }
  return out;
}

// One shortest cycle through `from` inside a component, to show how the loop closes.
function cycleThrough(from, members) {
  const prev = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (w === from) {
        const path = [v];
        for (let p = prev.get(v); p !== null; p = prev.get(p)) path.unshift(p);
        return [...path, from];
      }
      if (members.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [from];
}

const exceptionKeys = CYCLE_EXCEPTIONS.map((c) => [...c].sort().join(" "));
const knownCycles = new Set(exceptionKeys);
const allowedBy = (files) => exceptionKeys.find((k) => files.every((f) => k.split(" ").includes(f)));
const cycles = components(graph);
for (const comp of cycles) {
  const files = comp.map(rel).sort();
  const first = comp.find((f) => rel(f) === files[0]);
  const loop = cycleThrough(first, new Set(comp)).map(rel).join(" -> ");
  const entry = allowedBy(files);
  if (entry !== undefined) {
    console.log(`known cycle (allowed, see CYCLE_EXCEPTIONS): ${files.join(", ")}`);
    knownCycles.delete(entry);
    continue;
  }
  violations.push(`cycle: ${files.length} files import each other: ${files.join(", ")}\n    e.g. ${loop}`);
}
// A listed cycle that is gone is only reported, so that the change that breaks it does not
// fail on a file it does not own; the entry should then be removed.
for (const stale of knownCycles) console.log(`note: the listed cycle ${stale} is gone; remove it from CYCLE_EXCEPTIONS`);

const fileCount = graph.size;
if (violations.length > 0) {
  for (const v of violations) console.error(v);
  console.error(`check-architecture: ${violations.length} violation(s) in ${fileCount} source files`);
  process.exit(1);
}
const known = CYCLE_EXCEPTIONS.length - knownCycles.size;
console.log(`check-architecture: ${fileCount} source files, no cycle${known > 0 ? ` beyond the ${known} listed` : ""}, boundaries and cores clean`);
