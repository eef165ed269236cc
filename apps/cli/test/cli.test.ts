import { startServer, type RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, tokenize } from "../src/args.js";
import { parseAcl, permsToString } from "../src/format.js";
import { complete } from "../src/shell.js";
import { connect } from "@zkts/client";
import { cli } from "./support/run-cli.js";
import { targets } from "./targets.js";

describe("argument handling", () => {
  it("tokenizes quotes and parses flags", () => {
    expect(tokenize(`set /a "hello world" 'x y'`)).toEqual(["set", "/a", "hello world", "x y"]);
    expect(() => tokenize(`set /a "open`)).toThrow(/unterminated/);
    const parsed = parseArgs(["-s", "-v", "3", "/a", "-1"], ["s"], ["v"]);
    expect([...parsed.flags]).toEqual(["s"]);
    expect(parsed.options.get("v")).toBe("3");
    expect(parsed.positional).toEqual(["/a", "-1"]);
    expect(() => parseArgs(["-x"], [], [])).toThrow(/unknown option/);
  });

  it("parses zkCli ACL syntax including digest ids", () => {
    expect(parseAcl("world:anyone:cdrwa,digest:bob:abc=:r")).toEqual([
      { id: { scheme: "world", id: "anyone" }, perms: 31 },
      { id: { scheme: "digest", id: "bob:abc=" }, perms: 1 },
    ]);
    expect(permsToString(31)).toBe("cdrwa");
  });
});

describe.each(targets)("zkts-cli against %s", (kind) => {
  let server: RunningServer;
  let at: string[];

  beforeAll(async () => {
    server = await startServer(kind);
    at = ["-server", server.connectString];
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it("creates, reads, lists and deletes in one-shot mode", async () => {
    expect(await cli([...at, "create", "/cli", "hello"])).toMatchObject({ code: 0, stdout: "Created /cli\n" });
    expect(await cli([...at, "get", "/cli"])).toMatchObject({ code: 0, stdout: "hello\n" });
    expect(await cli([...at, "set", "/cli", "hello again"])).toMatchObject({ code: 0 });
    const withStat = await cli([...at, "get", "-s", "/cli"]);
    expect(withStat.stdout).toContain("hello again\n");
    expect(withStat.stdout).toContain("dataVersion = 1");
    expect((await cli([...at, "create", "-s", "/cli/seq-"])).stdout).toMatch(/^Created \/cli\/seq-\d{10}\n$/);
    expect((await cli([...at, "ls", "/cli"])).stdout).toMatch(/^\[seq-\d{10}\]\n$/);
    expect((await cli([...at, "getAllChildrenNumber", "/cli"])).stdout).toBe("1\n");
    expect((await cli([...at, "ls", "-R", "/cli"])).stdout.split("\n")[0]).toBe("/cli");
    expect(await cli([...at, "deleteall", "/cli"])).toMatchObject({ code: 0 });
    expect((await cli([...at, "stat", "/cli"])).code).toBe(1);
  });

  it("prints JSON for scripts", async () => {
    await cli([...at, "create", "/json", "j"]);
    const ls = await cli([...at, "--json", "ls", "/"]);
    expect(JSON.parse(ls.stdout)).toContain("json");
    const get = JSON.parse((await cli([...at, "--json", "get", "/json"])).stdout);
    expect(get.data).toBe("j");
    expect(get.stat.version).toBe(0);
    expect(typeof get.stat.czxid).toBe("string");
  });

  it("reports ZooKeeper errors by code name with a non-zero status", async () => {
    const missing = await cli([...at, "get", "/does-not-exist"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NONODE");
    await cli([...at, "create", "/versioned", "v"]);
    const bad = await cli([...at, "set", "-v", "7", "/versioned", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("BADVERSION");
    const json = await cli([...at, "--json", "delete", "/does-not-exist"]);
    expect(JSON.parse(json.stderr).error.codeName).toBe("NONODE");
    const usage = await cli([...at, "frobnicate", "/"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command");
  });

  it("authenticates and manages ACLs", async () => {
    const auth = ["--auth", "digest:carol:pw"];
    expect((await cli([...at, ...auth, "whoami"])).stdout).toContain("digest: carol");
    expect(await cli([...at, ...auth, "create", "/acl", "x", "auth::cdrwa"])).toMatchObject({ code: 0 });
    expect((await cli([...at, "get", "/acl"])).stderr).toContain("NOAUTH");
    expect((await cli([...at, ...auth, "getAcl", "/acl"])).stdout).toContain("'digest,'carol:");
    expect((await cli([...at, ...auth, "setAcl", "/acl", "world:anyone:r"])).code).toBe(0);
    expect((await cli([...at, "get", "/acl"])).stdout).toBe("x\n");
  });

  it("completes command names and znode paths", async () => {
    const client = await connect(server.connectString);
    try {
      await client.mkdirp("/complete/alpha");
      await client.mkdirp("/complete/beta");
      expect(await complete(client, "getA")).toEqual([["getAcl", "getAllChildrenNumber"], "getA"]);
      expect(await complete(client, "get /complete/a")).toEqual([["/complete/alpha"], "/complete/a"]);
      expect(await complete(client, "ls /complete/")).toEqual([["/complete/alpha", "/complete/beta"], "/complete/"]);
      expect(await complete(client, "ls /compl")).toEqual([["/complete"], "/compl"]);
    } finally {
      await client.close();
    }
  });

  it("runs an interactive session from stdin", async () => {
    const session = await cli(at, "create /shell 'two words'\nget /shell\nls /\nget /nothing\nhistory\nquit\n");
    expect(session.code).toBe(0);
    expect(session.stdout).toContain("Created /shell");
    expect(session.stdout).toContain("two words");
    expect(session.stdout).toContain("Error NONODE");
    expect(session.stdout).toContain("1: get /shell");
  });
});
