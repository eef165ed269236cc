import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { docker } from "../src/containers/docker-cli.js";
import { ensureDockerEngine } from "../src/containers/docker-engine.js";
import { APP_DIR, ensureLabImages, type LabImages, TOXIPROXY_ENTRY } from "../src/containers/images.js";
import { classPathOfManifest } from "../src/containers/jar-manifest.js";
import { librariesFromLdd } from "../src/containers/ldd.js";
import { demultiplex } from "../src/containers/member-container.js";
import { importSpecifiers, nodeAppFiles, packageEntry, splitBareSpecifier } from "../src/containers/module-closure.js";

describe("what goes into the images", () => {
  it("takes the libraries an ldd listing names by path, without the vDSO or missing ones", () => {
    const listing = [
      "\tlinux-vdso.so.1 (0x00007ffd1c3f2000)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f2a5c000000)",
      "\tlibX11.so.6 => not found",
      "\tlibjli.so => /usr/lib/jvm/java-17-openjdk-amd64/bin/../lib/libjli.so (0x00007f2a5c690000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f2a5c6a1000)",
    ].join("\n");
    expect(librariesFromLdd(listing)).toEqual([
      "/lib/x86_64-linux-gnu/libstdc++.so.6",
      "/usr/lib/jvm/java-17-openjdk-amd64/lib/libjli.so",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
  });

  it("reads a wrapped Class-Path header of a jar manifest", () => {
    const manifest =
      "Manifest-Version: 1.0\r\nClass-Path: /usr/share/java/commons-cli.jar /usr/share/java/jack\r\n son-core.jar lib/x.jar\r\nCreated-By: Maven\r\n";
    expect(classPathOfManifest(manifest, "/opt/app/main.jar")).toEqual([
      "/usr/share/java/commons-cli.jar",
      "/usr/share/java/jackson-core.jar",
      "/opt/app/lib/x.jar",
    ]);
    expect(classPathOfManifest("Manifest-Version: 1.0\n", "/a.jar")).toEqual([]);
  });

  it("finds the module specifiers of compiled ESM", () => {
    const source = [
      'import { a } from "./a.js";',
      "import {",
      "  b,",
      '  c as d } from "@zkts/jute";',
      'export * from "./e.js";',
      'export { f } from "typebox/value";',
      'import "./side-effect.js";',
      'const lazy = await import("./lazy.js");',
      'import { readFile } from "node:fs/promises";',
      'const text = "nothing to import here";',
    ].join("\n");
    expect(importSpecifiers(source).sort()).toEqual(
      ["./a.js", "@zkts/jute", "./e.js", "typebox/value", "./side-effect.js", "./lazy.js", "node:fs/promises"].sort(),
    );
    expect(splitBareSpecifier("@sinclair/typebox/value")).toEqual({ name: "@sinclair/typebox", subpath: "./value" });
    expect(splitBareSpecifier("dockerode")).toEqual({ name: "dockerode", subpath: "." });
    expect(packageEntry({ exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } } }, ".")).toBe("./dist/index.js");
    expect(packageEntry({ exports: "./main.js" }, ".")).toBe("./main.js");
    expect(packageEntry({ main: "lib/x.js" }, ".")).toBe("lib/x.js");
    expect(packageEntry({ exports: { ".": "./i.js" } }, "./hidden")).toBeNull();
  });

  it("follows the server's import graph to the workspace packages and npm packages it loads", async () => {
    const app = await nodeAppFiles(repoRoot, ["apps/server/dist/main.js"]);
    const packages = new Set(
      app.files.map((f) =>
        f
          .split("/")
          .slice(0, f.startsWith("node_modules/@") ? 3 : 2)
          .join("/"),
      ),
    );
    // Exactly the server's runtime dependencies, followed through the package manifests.
    expect([...packages].sort()).toEqual(runtimeClosure("apps/server").sort());
    expect(packages).toContain("packages/zab");
    expect(packages).toContain("node_modules/@sinclair/typebox");
    // ESM needs the package.json that says "type": "module" next to each package's files.
    expect(app.files).toContain("packages/server/package.json");
    expect(app.links.get("node_modules/@zkts/server")).toBe("../../packages/server");
    // Test-only packages and the lab itself are not part of the server.
    expect(app.files.some((f) => f.startsWith("packages/testkit") || f.startsWith("packages/client") || f.startsWith("lab/"))).toBe(false);
  });

  it("reads the frames of a container's multiplexed log", () => {
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demultiplex(Buffer.concat([frame(1, "out one\n"), frame(2, "err\n"), frame(1, "out two\n")])).toString()).toBe("out one\nerr\nout two\n");
  });
});

describe("offline images", () => {
  let images: LabImages;

  // Docker must run here: the container tiers fail, with the reason, rather than skip.
  beforeAll(async () => {
    await ensureDockerEngine();
  }, 300_000);

  it("are built from this host's files, then found again by the digest of their inputs", async () => {
    const first = await ensureLabImages();
    const again = await ensureLabImages();
    process.stdout.write(`image builds: ${first.builds.map((b) => `${b.tag} ${b.cached ? "cached" : "built"} in ${b.ms} ms`).join("; ")}\n`);
    expect(again.node).toBe(first.node);
    expect(again.zookeeper).toBe(first.zookeeper);
    expect(again.builds.map((b) => b.cached)).toEqual([true, true, true, true]);
    images = again;
  }, 300_000);

  it("run node as an unprivileged user, with the server and the lab's Toxiproxy in it", async () => {
    const probe = 'console.log(process.version, require("os").userInfo().username)';
    expect((await docker(["run", "--rm", "--network", "none", images.node, process.execPath, "-e", probe])).trim()).toBe(`${process.version} zkts`);
    const help = await docker(["run", "--rm", "--network", "none", images.node, process.execPath, `${APP_DIR}/apps/server/dist/main.js`, "--help"]);
    expect(help).toMatch(/usage: zkts-server/);
    const toxiproxyHelp = await docker([
      "run",
      "--rm",
      "--network",
      "none",
      images.node,
      process.execPath,
      `${APP_DIR}/${TOXIPROXY_ENTRY.substring(repoRoot.length + 1)}`,
      "--help",
    ]);
    expect(toxiproxyHelp).toMatch(/usage: zkts-lab toxiproxy/);
    // busybox is the shell (testcontainers' port checks need one).
    expect((await docker(["run", "--rm", "--network", "none", images.node, "/bin/sh", "-c", "echo $((6 * 7))"])).trim()).toBe("42");
  }, 120_000);

  it("run Java 17 and ZooKeeper 3.8's classes in the zookeeper image", async () => {
    const version = await docker(["run", "--rm", "--network", "none", images.zookeeper, "sh", "-c", "java -version 2>&1"]);
    expect(version).toMatch(/openjdk version "17\./);
    // VersionInfoMain prints the version of the ZooKeeper classes the image holds.
    const zk = await docker([
      "run",
      "--rm",
      "--network",
      "none",
      images.zookeeper,
      "java",
      "-cp",
      "/usr/share/java/zookeeper.jar",
      "org.apache.zookeeper.version.VersionInfoMain",
    ]);
    expect(zk).toMatch(/^Apache ZooKeeper, version 3\.8\./);
  }, 120_000);
});

/** A workspace's directory and, following the `dependencies` of each manifest, every package it runs with. */
function runtimeClosure(start: string): string[] {
  const workspaceDir = new Map<string, string>();
  for (const parent of ["packages", "apps"]) {
    for (const name of readdirSync(join(repoRoot, parent))) {
      const manifest = join(repoRoot, parent, name, "package.json");
      if (existsSync(manifest)) workspaceDir.set(JSON.parse(readFileSync(manifest, "utf8")).name, `${parent}/${name}`);
    }
  }
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const deps = Object.keys(JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")).dependencies ?? {});
    for (const dep of deps) visit(workspaceDir.get(dep) ?? `node_modules/${dep}`);
  };
  visit(start);
  return [...seen];
}
