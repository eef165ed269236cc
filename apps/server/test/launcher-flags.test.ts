import { readFileSync } from "node:fs";
import { type RunningServer, startZkts, startZktsEnsemble, zktsServerNodeFlags } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { zkts: { nodeFlags: string[] } };
const launcher = readFileSync(new URL("../bin/zkts-server.js", import.meta.url), "utf8");

function argvOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

const servers: { cleanup(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of servers) await s.cleanup();
});

// The server's V8 flags are named twice: in package.json (read by whoever starts the server with
// node, as the testkit does) and in the launcher's sh line (npm's link and the container images).
describe("the server's V8 flags", () => {
  it("are the same in the launcher's exec line as in package.json", () => {
    expect(manifest.zkts.nodeFlags.length).toBeGreaterThan(0);
    const [shebang, execLine] = launcher.split("\n");
    expect(shebang).toBe("#!/bin/sh");
    expect(execLine).toBe(`":" //; exec node ${manifest.zkts.nodeFlags.join(" ")} "$0" "$@"`);
    expect(zktsServerNodeFlags()).toEqual(manifest.zkts.nodeFlags);
  });

  it("reach a standalone server and every ensemble member the testkit starts", async () => {
    const standalone: RunningServer = await startZkts();
    servers.push(standalone);
    const ensemble = await startZktsEnsemble();
    servers.push(ensemble);
    for (const pid of [standalone.pid, ...ensemble.members.map((m) => m.server.pid)]) {
      expect(argvOf(pid!)).toEqual(expect.arrayContaining(manifest.zkts.nodeFlags));
    }
  }, 60_000);
});
