import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { freePort } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./support/run-cli.js";

// The program's own options, run as processes: none of these needs a ZooKeeper server, and
// the listener below proves that --help and --version never open a connection.

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** A TCP listener that accepts and never answers, counting connections. */
function silentListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    count++;
    sockets.push(socket);
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({ port: address.port, connections: () => count, close });
    }),
  );
}

describe("zkts-cli options", () => {
  let silent: Awaited<ReturnType<typeof silentListener>>;

  beforeAll(async () => {
    silent = await silentListener();
  });

  afterAll(async () => {
    await silent.close();
  });

  it("prints help for -h and --help without connecting, wherever they stand among the options", async () => {
    const at = ["-server", `127.0.0.1:${silent.port}`];
    for (const args of [["--help"], ["-h"], [...at, "-h"], [...at, "--json", "--help"]]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout).toMatch(/^usage: zkts-cli/);
      for (const option of ["--server", "-server", "--timeout", "--readonly", "--auth", "--json", "--version"]) expect(run.stdout).toContain(option);
    }
    expect(silent.connections()).toBe(0);
  });

  it("prints its version for --version and for the one-shot version command, without connecting", async () => {
    expect(await cli(["--version"])).toMatchObject({ code: 0, stdout: `zkts-cli ${VERSION}\n` });
    const command = await cli(["-server", `127.0.0.1:${silent.port}`, "version"]);
    expect(command).toMatchObject({ code: 0, stdout: `ZooKeeper CLI version: zkts-cli ${VERSION}\n` });
    expect(silent.connections()).toBe(0);
  });

  it("lists the commands for the one-shot help command, zkCli's new ones included", async () => {
    const run = await cli(["help"]);
    expect(run.code).toBe(0);
    for (const line of [
      "setquota -n|-b|-N|-B val path",
      "listquota path",
      "delquota [-n|-b|-N|-B] path",
      "printwatches on|off",
      "version",
      "whoami",
      "deleteall path [-b batch size]",
    ]) {
      expect(run.stdout).toContain(`\t${line}`);
    }
  });

  it("refuses unknown options and bad values with status 2 and the usage", async () => {
    for (const args of [["--bogus"], ["-x", "ls", "/"], ["--timeout", "soon", "ls", "/"], ["--auth", "nocolon", "ls", "/"]]) {
      const run = await cli(args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^zkts-cli: /);
      expect(run.stderr).toContain("usage: zkts-cli");
      expect(run.stdout).toBe("");
    }
  });

  it("fails a command at once with CONNECTIONLOSS when nothing listens, naming the refusal", async () => {
    const port = await freePort();
    const run = await cli(["-server", `127.0.0.1:${port}`, "ls", "/"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Error CONNECTIONLOSS");
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stderr).not.toContain("SESSIONEXPIRED");
    expect(run.elapsedMs).toBeLessThan(5_000);
    const json = await cli(["-server", `127.0.0.1:${port}`, "--json", "get", "/"]);
    expect(JSON.parse(json.stderr).error.codeName).toBe("CONNECTIONLOSS");
  });

  it("gives up after --timeout on a server that accepts and never answers", async () => {
    const run = await cli(["-server", `127.0.0.1:${silent.port}`, "--timeout", "1500", "ls", "/"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Error (CONNECTIONLOSS|OPERATIONTIMEOUT)/);
    expect(run.elapsedMs).toBeGreaterThan(1_400);
    expect(run.elapsedMs).toBeLessThan(8_000);
  });
});
