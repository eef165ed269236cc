import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fourLetterWord, freePort } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishable } from "./support/packages.js";
import { run, runOk } from "./support/process.js";

// What a new user gets from npm: every publishable package packed with `npm pack`, the
// tarballs (and nothing else of this repository) installed into an empty project in the
// system's temp directory, then the quickstarts run there against a zkts-server started from
// that install. @zkts/* comes only from the tarballs; third-party packages from the registry
// (or npm's cache).

const repo = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const fixtures = fileURLToPath(new URL("../fixtures", import.meta.url));
const npm = "npm";

const released = publishable(repo);
// npm names the tarballs of @zkts/server and zkts-server alike (zkts-server-0.2.0.tgz): scoped
// and unscoped packages are packed into separate directories.
const SCOPED = released.filter((m) => m.name.startsWith("@")).map((m) => m.name);
const APPS = released.filter((m) => !m.name.startsWith("@")).map((m) => m.name);
const BINS = released.flatMap((m) => Object.keys(m.bin ?? {})).sort();

let work: string;
let consumer: string;
let server: ChildProcess | undefined;
let serverAddress: string;
let serverLog = "";

/** Waits until the server answers ruok, or fails with its log. */
async function waitForServer(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      if ((await fourLetterWord("127.0.0.1", port, "ruok", 1000)) === "imok") return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until || server?.exitCode !== null) throw new Error(`zkts-server did not start on ${port}:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "zkts-install-"));
  consumer = join(work, "consumer");
  const packed = { scoped: join(work, "scoped"), apps: join(work, "apps") };
  for (const dir of [consumer, packed.scoped, packed.apps]) mkdirSync(dir);
  const workspaces = (names: readonly string[]) => names.flatMap((n) => ["-w", n]);
  await runOk(npm, ["pack", "--pack-destination", packed.scoped, ...workspaces(SCOPED)], { cwd: repo });
  await runOk(npm, ["pack", "--pack-destination", packed.apps, ...workspaces(APPS)], { cwd: repo });
  const tarballs = [packed.scoped, packed.apps].flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)));
  expect(tarballs).toHaveLength(SCOPED.length + APPS.length);

  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  await runOk(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tarballs], { cwd: consumer, timeoutMs: 240_000 });

  const port = await freePort();
  serverAddress = `127.0.0.1:${port}`;
  const cfg = join(work, "zoo.cfg");
  writeFileSync(
    cfg,
    [
      `tickTime=2000`,
      `dataDir=${join(work, "data")}`,
      `clientPort=${port}`,
      `clientPortAddress=127.0.0.1`,
      `4lw.commands.whitelist=*`,
      `admin.enableServer=false`,
      "",
    ].join("\n"),
  );
  server = spawn(join(consumer, "node_modules/.bin/zkts-server"), ["--config", cfg], { cwd: consumer, stdio: ["ignore", "ignore", "pipe"] });
  server.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
  await waitForServer(port, 30_000);
});

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    server.kill("SIGKILL");
  }
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ ZK_SERVER: serverAddress });

describe("the packages installed from their tarballs", () => {
  it("start the server through its launcher, with the V8 flags its package names, in the launcher's own process", () => {
    const manifest = JSON.parse(readFileSync(join(consumer, "node_modules/zkts-server/package.json"), "utf8")) as { zkts: { nodeFlags: string[] } };
    expect(manifest.zkts.nodeFlags.length).toBeGreaterThan(0);
    // sh runs the linked launcher and execs node in its place: the pid npm's link started is node's.
    const argv = readFileSync(`/proc/${server!.pid}/cmdline`, "utf8").split("\0");
    expect(argv[0]).toMatch(/node$/);
    expect(argv).toEqual(expect.arrayContaining(manifest.zkts.nodeFlags));
  });

  it("are all built before this suite runs: each is a devDependency here, which orders turbo's builds", () => {
    const own = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { devDependencies: Record<string, string> };
    expect(Object.keys(own.devDependencies).sort()).toEqual(released.map((m) => m.name).sort());
    expect(BINS).toEqual(expect.arrayContaining(["zkts-bench", "zkts-check", "zkts-cli", "zkts-lab", "zkts-server"]));
  });

  it("carry their licence, README and resolvable source maps, and none is private", () => {
    for (const name of [...SCOPED, ...APPS]) {
      const dir = join(consumer, "node_modules", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest.private, name).toBeUndefined();
      expect(manifest.version, name).toBe("0.2.0");
      expect(manifest.license, name).toBe("Apache-2.0");
      expect(readFileSync(join(dir, "LICENSE"), "utf8"), name).toContain("Apache License");
      expect(readFileSync(join(dir, "README.md"), "utf8"), name).toMatch(/quickstart/i);
      for (const section of ["dependencies", "devDependencies"]) {
        for (const [dep, range] of Object.entries((manifest[section] ?? {}) as Record<string, string>)) {
          if (dep.startsWith("@zkts/") || dep.startsWith("zkts-")) expect(range, `${name} ${section} ${dep}`).toBe("0.2.0");
        }
      }
      const exportsField = manifest.exports as Record<string, { types?: string; default?: string }>;
      expect(existsSync(join(dir, exportsField["."]!.types!)), `${name} types`).toBe(true);
      // Every source a map names ships with the package.
      const maps = readdirSync(join(dir, "dist"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".map"));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(dir, "dist", map), "utf8")) as { sources: string[] };
        for (const source of sources) expect(existsSync(resolve(dirname(join(dir, "dist", map)), source)), `${name}: ${map} -> ${source}`).toBe(true);
      }
    }
  });

  it.each(BINS)("answer %s --help and --version through npx", async (bin) => {
    const help = await run("npx", ["--no-install", bin, "--help"], { cwd: consumer });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: ${bin}`));
    const version = await run("npx", ["--no-install", bin, "--version"], { cwd: consumer });
    expect(version).toMatchObject({ code: 0, stdout: `${bin} 0.2.0\n` });
  });

  it("run the quickstart as an ES module", async () => {
    copyFileSync(join(fixtures, "quickstart.mjs"), join(consumer, "quickstart.mjs"));
    const out = await runOk(process.execPath, ["quickstart.mjs", "/esm"], { cwd: consumer, env: env() });
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ data: "hello", count: 2, missing: "NONODE" });
    expect(result.stat).toMatchObject({ version: 0, dataLength: 5, czxid: expect.stringMatching(/^\d+$/), ctime: expect.any(Number) });
  });

  it("run the quickstart from CommonJS through import(), and require() where Node loads ES modules with it", async () => {
    copyFileSync(join(fixtures, "quickstart.cjs"), join(consumer, "quickstart.cjs"));
    const out = await runOk(process.execPath, ["quickstart.cjs", "/cjs"], { cwd: consumer, env: env() });
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ data: "from commonjs", count: 5 });
    // require(esm) is on by default from Node 20.19 and 22.12; older releases refuse it.
    const requireWorks = (process.features as { require_module?: boolean }).require_module === true;
    expect(result.requireError).toBe(requireWorks ? null : "ERR_REQUIRE_ESM");
  });

  it.each(["nodenext", "bundler"] as const)("type-check the TypeScript quickstart with %s resolution (and run what nodenext emits)", async (resolution) => {
    copyFileSync(join(fixtures, "quickstart.ts"), join(consumer, "quickstart.ts"));
    const outDir = `out-${resolution}`;
    const compilerOptions = {
      target: "es2022",
      strict: true,
      // Checks the published declaration files too, not only the quickstart.
      skipLibCheck: false,
      outDir,
      types: ["node"],
      typeRoots: [join(repo, "node_modules/@types")],
      ...(resolution === "nodenext" ? { module: "nodenext", moduleResolution: "nodenext" } : { module: "preserve", moduleResolution: "bundler", noEmit: true }),
    };
    const tsconfig = `tsconfig.${resolution}.json`;
    writeFileSync(join(consumer, tsconfig), JSON.stringify({ compilerOptions, files: ["quickstart.ts"] }, null, 2));
    const tsc = await run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", tsconfig], { cwd: consumer });
    expect(tsc.code, `${tsc.stdout}${tsc.stderr}`).toBe(0);
    if (resolution !== "nodenext") return;
    const out = await runOk(process.execPath, [join(outDir, "quickstart.js"), "/typescript"], { cwd: consumer, env: env() });
    expect(JSON.parse(out.stdout)).toMatchObject({ data: "hello", count: 2, missing: "NONODE" });
  });

  it("let zkts-cli read what the quickstarts wrote, from the same install", async () => {
    const ls = await runOk("npx", ["--no-install", "zkts-cli", "-server", serverAddress, "ls", "/"], { cwd: consumer });
    expect(ls.stdout).toMatch(/esm/);
    const get = await runOk("npx", ["--no-install", "zkts-cli", "-server", serverAddress, "--json", "get", "/esm"], { cwd: consumer });
    expect(JSON.parse(get.stdout)).toMatchObject({ data: "hello", encoding: "utf8" });
  });
});
