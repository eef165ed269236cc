import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fourLetterWord, freePort, repoRoot } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { ensembleFromProperties, ownClientAddress, parseMember } from "../src/ensemble-cfg.js";
import { parseProperties } from "../src/properties.js";

const ensemble = (text: string, myid: string | null = "2") => ensembleFromProperties(parseProperties(text), () => myid);

describe("server.N lines", () => {
  it("parse as ZooKeeper's QuorumServer reads them", () => {
    expect(parseMember("server.3", "zk3.example:2888:3888:observer;10.0.0.3:2181")).toEqual({
      id: 3,
      host: "zk3.example",
      quorumPort: 2888,
      electionPort: 3888,
      role: "observer",
      clientHost: "10.0.0.3",
      clientPort: 2181,
    });
    expect(parseMember("server.1", "a:1:2|b:3:4;2181")).toMatchObject({ host: "a", quorumPort: 1, electionPort: 2, clientHost: null, clientPort: 2181 });
    expect(parseMember("server.2", "h:1:2:participant")).toMatchObject({ role: "participant", clientPort: null });
  });

  it("accept what ZooKeeper's QuorumServer accepts: IPv6 literals, a role in any case, no host as localhost", () => {
    expect(parseMember("server.4", "[::1]:2888:3888:OBSERVER;[::1]:2181")).toEqual({
      id: 4,
      host: "0:0:0:0:0:0:0:1",
      quorumPort: 2888,
      electionPort: 3888,
      role: "observer",
      clientHost: "0:0:0:0:0:0:0:1",
      clientPort: 2181,
    });
    expect(parseMember("server.5", ":2888:3888")).toMatchObject({ host: "localhost" });
    expect(() => parseMember("server.6", "h:2888:2888")).toThrowError(/^server.6: Client and election port must be different/);
  });

  it.each([
    ["server.x", "h:1:2", /server id must be a non-negative integer/],
    ["server.1", "h:1", /expected host:quorumPort:electionPort/],
    ["server.1", "h:1:99999", /election port: expected a port number/],
    ["server.1", "h:1:2:voter", /unknown server type "voter"/],
  ])("rejects %s=%s", (key, value, message) => {
    expect(() => parseMember(key, value)).toThrowError(message);
  });
});

describe("ensemble configuration", () => {
  const three = "server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888:observer\n";

  it("is standalone without server lines, or with one participant and standaloneEnabled", () => {
    expect(ensemble("tickTime=2000\n")).toBeNull();
    expect(ensemble("server.1=a:2888:3888\n")).toBeNull();
  });

  it("needs initLimit, syncLimit and a myid from the list", () => {
    expect(() => ensemble(three)).toThrowError("initLimit is required for an ensemble");
    expect(() => ensemble(`${three}initLimit=10\n`)).toThrowError("syncLimit is required for an ensemble");
    const ok = ensemble(`${three}initLimit=10\nsyncLimit=5\n`);
    expect(ok).toMatchObject({ myid: 2, initLimit: 10, syncLimit: 5, role: "participant" });
    expect(ok?.members.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(() => ensemble(`${three}initLimit=10\nsyncLimit=5\n`, null)).toThrowError(/myid file is missing/);
    expect(() => ensemble(`${three}initLimit=10\nsyncLimit=5\n`, "7\n")).toThrowError("myid 7 is not in the server list (server.N lines)");
    expect(ensemble(`${three}initLimit=10\nsyncLimit=5\n`, "3")?.role).toBe("observer");
  });

  it("reads quorumListenOnAllIPs (off unless true)", () => {
    const base = `${three}initLimit=10\nsyncLimit=5\n`;
    expect(ensemble(base)?.quorumListenOnAllIPs).toBe(false);
    expect(ensemble(`${base}quorumListenOnAllIPs=true\n`)?.quorumListenOnAllIPs).toBe(true);
    expect(ensemble(`${base}quorumListenOnAllIPs=false\n`)?.quorumListenOnAllIPs).toBe(false);
    expect(() => ensemble(`${base}quorumListenOnAllIPs=maybe\n`)).toThrowError(/quorumListenOnAllIPs: expected true or false/);
  });

  it("a single participant with standaloneEnabled=false is an ensemble of one", () => {
    expect(ensemble("server.2=a:2888:3888\nstandaloneEnabled=false\ninitLimit=5\nsyncLimit=2\n")).toMatchObject({ myid: 2 });
  });

  it("zkts-server refuses an ensemble config without a myid, with a clear message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-ens-"));
    writeFileSync(
      join(dir, "zoo.cfg"),
      `tickTime=2000\ndataDir=${dir}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n`,
    );
    const failure = await promisify(execFile)(process.execPath, [join(repoRoot, "apps/server/dist/main.js"), "--config", join(dir, "zoo.cfg")]).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^zkts-server: myid file is missing in dataDir/);
  });

  it("serves clients at the client address of its own server line, as ZooKeeper 3.5+ does", () => {
    const withClients = ensemble("server.1=a:1:2;2181\nserver.2=b:1:2;10.0.0.2:2182\nserver.3=c:1:2\ninitLimit=5\nsyncLimit=2\n")!;
    const none = { clientPort: null, clientPortAddress: null };
    expect(ownClientAddress(withClients, none)).toEqual({ clientPort: 2182, clientPortAddress: "10.0.0.2", plainClientPort: true });
    expect(ownClientAddress({ ...withClients, myid: 1 }, none)).toEqual({ clientPort: 2181, clientPortAddress: "0.0.0.0", plainClientPort: true });
    expect(ownClientAddress({ ...withClients, myid: 1 }, { clientPort: 2181, clientPortAddress: "127.0.0.1" })).toMatchObject({
      clientPortAddress: "127.0.0.1",
    });
    // No client address in the line: zoo.cfg's clientPort stands.
    expect(ownClientAddress({ ...withClients, myid: 3 }, { clientPort: 2190, clientPortAddress: null })).toBeNull();
    expect(() => ownClientAddress(withClients, { clientPort: 2181, clientPortAddress: null })).toThrowError(
      /server.2 gives this server's client address as 10.0.0.2:2182/,
    );
    expect(() => ownClientAddress(withClients, { clientPort: 2182, clientPortAddress: "10.0.0.9" })).toThrowError(
      /but clientPort\/clientPortAddress say 10.0.0.9:2182/,
    );
  });

  it("zkts-server listens on its server line's client port when zoo.cfg has no clientPort", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-ens-"));
    const [clientPort, quorumPort, electionPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(join(dir, "myid"), "1\n");
    writeFileSync(
      join(dir, "zoo.cfg"),
      `tickTime=200\ndataDir=${dir}\ninitLimit=5\nsyncLimit=2\nstandaloneEnabled=false\nadmin.enableServer=false\n` +
        `4lw.commands.whitelist=*\nserver.1=127.0.0.1:${quorumPort}:${electionPort};127.0.0.1:${clientPort}\n`,
    );
    const child = execFile(process.execPath, [join(repoRoot, "apps/server/dist/main.js"), "--config", join(dir, "zoo.cfg")]);
    try {
      let answer = "";
      for (let attempt = 0; attempt < 100 && answer !== "imok"; attempt++) {
        answer = await fourLetterWord("127.0.0.1", clientPort, "ruok", 1000).catch(() => "");
        if (answer !== "imok") await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe("imok");
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});
