/**
 * The dynamic configuration text and reconfig's arithmetic on it. Expected texts are ZooKeeper
 * 3.8's own (taken from a real ensemble's /zookeeper/config and reconfig replies).
 */
import { ErrorCode, type ReconfigRequest } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import {
  type EnsembleConfig,
  KeeperError,
  applyReconfig,
  hasSyncedQuorum,
  inLoadedOrder,
  observersOf,
  parseEnsembleConfig,
  renderEnsembleConfig,
  votersOf,
} from "../src/index.js";

/** A three-voter ensemble's configuration as ZooKeeper 3.8 wrote it. */
const THREE =
  "server.1=127.0.0.1:34781:35331:participant;127.0.0.1:46187\n" +
  "server.2=127.0.0.1:37933:42355:participant;127.0.0.1:44817\n" +
  "server.3=127.0.0.1:44841:39131:participant;127.0.0.1:36247\n" +
  "version=100000000";

function reconfig(current: string, request: Partial<ReconfigRequest>, zxid: bigint): string {
  const full: ReconfigRequest = { joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n, ...request };
  return renderEnsembleConfig(applyReconfig(parseEnsembleConfig(current), full, zxid));
}

function codeOf(run: () => unknown): number {
  try {
    run();
  } catch (e) {
    if (e instanceof KeeperError) return e.code;
    throw e;
  }
  return 0;
}

function ids(config: EnsembleConfig): number[] {
  return config.servers.map((s) => s.id);
}

describe("parsing and rendering", () => {
  it("reads ZooKeeper's text for three voters with client ports and writes it back unchanged", () => {
    const config = parseEnsembleConfig(THREE);
    expect(config.version).toBe(0x100000000n);
    expect(config.servers[1]).toEqual({
      id: 2,
      host: "127.0.0.1",
      quorumPort: 37933,
      electionPort: 42355,
      role: "participant",
      client: { host: "127.0.0.1", port: 44817 },
    });
    expect(renderEnsembleConfig(config)).toBe(THREE);
  });

  it("always writes the role, the client host, and the version in lowercase hex without a final newline", () => {
    const config = parseEnsembleConfig("server.1=a:1:2;3\nserver.2=b:4:5:OBSERVER\nserver.3=c:6:7;d:8\nversion=ABC");
    expect(renderEnsembleConfig(config)).toBe("server.1=a:1:2:participant;0.0.0.0:3\nserver.2=b:4:5:observer\nserver.3=c:6:7:participant;d:8\nversion=abc");
  });

  it("prints hosts as Java does: IP literals normalised, names kept, an empty host as localhost", () => {
    const text = [
      "server.1=[::1]:1:2;[0:0::1]:3",
      "server.2=[FE80::A]:1:2;127.000.0.1:3",
      "server.3=:1:2;:3",
      "server.4=ZK-4.example:1:2;[::ffff:10.0.0.1]:3",
      "server.5=127.1:1:2;010.1.2.3:3",
    ].join("\n");
    expect(renderEnsembleConfig(parseEnsembleConfig(text))).toBe(
      [
        "server.1=[0:0:0:0:0:0:0:1]:1:2:participant;[0:0:0:0:0:0:0:1]:3",
        "server.2=[fe80:0:0:0:0:0:0:a]:1:2:participant;127.0.0.1:3",
        "server.3=localhost:1:2:participant;localhost:3",
        "server.4=ZK-4.example:1:2:participant;10.0.0.1:3",
        "server.5=127.0.0.1:1:2:participant;10.1.2.3:3",
        "version=0",
      ].join("\n"),
    );
  });

  it("reads Properties syntax: blanks, ':' as separator, comments, continued lines", () => {
    const config = parseEnsembleConfig("  server.1 = h:1:2;3\n# note\n! note\n\nserver.2:h:4:5\\\n   ;6\nversion 5");
    expect(renderEnsembleConfig(config)).toBe("server.1=h:1:2:participant;0.0.0.0:3\nserver.2=h:4:5:participant;0.0.0.0:6\nversion=5");
  });

  it("refuses what ZooKeeper refuses, with its error codes", () => {
    const refused: [string, number][] = [
      ["server.1=h:1:2|h:3:4;5", ErrorCode.BADARGUMENTS], // two addresses: multiAddress is off
      ["server.1=h:1", ErrorCode.BADARGUMENTS],
      ["server.1=h:x:2", ErrorCode.BADARGUMENTS],
      ["server.1=h: 1:2", ErrorCode.BADARGUMENTS],
      ["server.1=h:1:1", ErrorCode.BADARGUMENTS],
      ["server.1=h:1:2:voter", ErrorCode.BADARGUMENTS],
      ["server.1=h:1:2;3;4", ErrorCode.BADARGUMENTS],
      ["server.1=[::1:1:2", ErrorCode.BADARGUMENTS],
      ["server.1=h:1:2\ntickTime=3", ErrorCode.BADARGUMENTS],
      ["server.1=h:1:2\ngroup.1=1", ErrorCode.BADARGUMENTS], // hierarchical quorums are not supported
      ["server.1=h:99999:2", ErrorCode.MARSHALLINGERROR], // Java: port out of range
      ["server.1=h:-1:2", ErrorCode.MARSHALLINGERROR],
      ["server.one=h:1:2", ErrorCode.MARSHALLINGERROR], // Java: NumberFormatException
      ["server.1=h:1:2\nversion=x", ErrorCode.MARSHALLINGERROR],
      ["server.1=h:1:2:observer", ErrorCode.MARSHALLINGERROR], // observers without voters
      ["server.1=h:1:2\nserver.2=h:3:4:observer", ErrorCode.MARSHALLINGERROR], // observers without a quorum
    ];
    for (const [text, code] of refused)
      expect(
        codeOf(() => parseEnsembleConfig(text)),
        text,
      ).toBe(code);
    expect(codeOf(() => parseEnsembleConfig("server.1=h:1:2\nserver.2=h:3:4:observer", { standaloneEnabled: false }))).toBe(0);
    expect(codeOf(() => parseEnsembleConfig("server.1=h:1:2:observer", { standaloneEnabled: false }))).toBe(ErrorCode.MARSHALLINGERROR);
  });

  it("lists voters and observers", () => {
    const config = parseEnsembleConfig(`${THREE}\nserver.7=h:1:2:observer;3`);
    expect(votersOf(config)).toEqual([1, 2, 3]);
    expect(observersOf(config)).toEqual([7]);
  });
});

describe("applying a reconfig", () => {
  it("adds an observer, as ZooKeeper wrote it", () => {
    expect(reconfig(THREE, { joiningServers: "server.4=127.0.0.1:45805:46691:observer;127.0.0.1:33503" }, 0x10000001en)).toBe(
      "server.1=127.0.0.1:34781:35331:participant;127.0.0.1:46187\n" +
        "server.2=127.0.0.1:37933:42355:participant;127.0.0.1:44817\n" +
        "server.3=127.0.0.1:44841:39131:participant;127.0.0.1:36247\n" +
        "server.4=127.0.0.1:45805:46691:observer;127.0.0.1:33503\n" +
        "version=10000001e",
    );
  });

  it("removes a member, as ZooKeeper wrote it", () => {
    expect(reconfig(THREE, { leavingServers: "2" }, 0x100000025n)).toBe(
      "server.1=127.0.0.1:34781:35331:participant;127.0.0.1:46187\n" + "server.3=127.0.0.1:44841:39131:participant;127.0.0.1:36247\n" + "version=100000025",
    );
  });

  it("orders members as ZooKeeper's HashMap does: by hash bin, then by insertion", () => {
    const added = parseEnsembleConfig(
      reconfig(
        THREE,
        {
          joiningServers: [
            "server.17=h:1:2:observer;3",
            "server.100=h:4:5:observer;6",
            "server.33=h:7:8:observer;9",
            "server.0=h:10:11:observer;12",
            "server.16=h:13:14:observer;15",
          ].join(","),
        },
        5n,
      ),
    );
    // Three members copied into a table of 8 that grows to 16: bins 0, 1, 2, 3 and 4.
    expect(ids(added)).toEqual([0, 16, 1, 17, 33, 2, 3, 100]);
    // The copy of three members starts with 8 bins, so 9 shares a bin with 1...
    expect(ids(parseEnsembleConfig(reconfig(THREE, { joiningServers: "server.9=h:1:2:observer;3" }, 6n)))).toEqual([1, 9, 2, 3]);
    // ...while a server loading that text uses 16 bins.
    expect(ids(inLoadedOrder(parseEnsembleConfig(reconfig(THREE, { joiningServers: "server.9=h:1:2:observer;3" }, 6n))))).toEqual([1, 2, 3, 9]);
    // A server that loads the text meets "server.33" before "server.1" (java.util.Properties' order).
    expect(ids(inLoadedOrder(added))).toEqual([0, 16, 33, 1, 17, 2, 3, 100]);
  });

  it("takes leavers and joiners as ZooKeeper splits them: trimmed, empty parts skipped, unknown leavers ignored", () => {
    const next = parseEnsembleConfig(reconfig(THREE, { leavingServers: " 3 ,, 9", joiningServers: " 4 = h:1:2:observer;3 ," }, 7n));
    expect(ids(next)).toEqual([1, 2, 4]);
    // The id is whatever follows the last dot of the key.
    expect(ids(parseEnsembleConfig(reconfig(THREE, { joiningServers: "peer.x.5=h:1:2:observer;3" }, 8n)))).toEqual([1, 2, 3, 5]);
    // A joiner with a member's id replaces it.
    expect(reconfig(THREE, { joiningServers: "server.3=h:1:2:observer;3" }, 9n)).toContain("server.3=h:1:2:observer;0.0.0.0:3\n");
  });

  it("replaces the whole membership with newMembers, which wins over joining and leaving", () => {
    const next = reconfig(THREE, { newMembers: "server.5=h:1:2,server.6=h:3:4:participant;5", leavingServers: "1", joiningServers: "server.9=h:1:2;3" }, 0xan);
    expect(next).toBe("server.5=h:1:2:participant\nserver.6=h:3:4:participant;0.0.0.0:5\nversion=a");
  });

  it("checks the version unless it is -1", () => {
    expect(codeOf(() => reconfig(THREE, { leavingServers: "3", curConfigId: 0x100000001n }, 1n))).toBe(ErrorCode.BADVERSION);
    expect(codeOf(() => reconfig(THREE, { leavingServers: "3", curConfigId: 0x100000000n }, 1n))).toBe(0);
  });

  it("refuses what ZooKeeper refuses, with its error codes", () => {
    const refused: [Partial<ReconfigRequest>, number][] = [
      [{ joiningServers: "server.4=h:1:2:observer" }, ErrorCode.BADARGUMENTS], // no client port
      [{ joiningServers: "server.4" }, ErrorCode.BADARGUMENTS],
      [{ joiningServers: "server.4=a=b" }, ErrorCode.BADARGUMENTS],
      [{ joiningServers: "server.4=h:1:2|h:3:4;5" }, ErrorCode.BADARGUMENTS],
      [{ joiningServers: "server.4=10.0.0.4:1:2;3,server.5=10.0.0.4:1:4;5" }, ErrorCode.BADARGUMENTS], // shared address
      [{ joiningServers: "server.x=h:1:2;3" }, ErrorCode.MARSHALLINGERROR],
      [{ joiningServers: "server.4=h:1:70000;3" }, ErrorCode.MARSHALLINGERROR],
      [{ leavingServers: "three" }, ErrorCode.MARSHALLINGERROR],
      [{ leavingServers: "2,3" }, ErrorCode.BADARGUMENTS], // one voter left
      [{ newMembers: "server.1=h:1:2;3" }, ErrorCode.BADARGUMENTS],
      [{ newMembers: "" }, ErrorCode.BADARGUMENTS], // no voters at all
      [{ newMembers: "server.1=h:1:2;3,x=1" }, ErrorCode.BADARGUMENTS],
      [{ newMembers: "server.1=h:1:2:observer;3" }, ErrorCode.MARSHALLINGERROR],
    ];
    for (const [request, code] of refused)
      expect(
        codeOf(() => reconfig(THREE, request, 1n)),
        JSON.stringify(request),
      ).toBe(code);
  });

  it("lets loopback and wildcard addresses repeat, as ZooKeeper leaves them out of the duplicate check", () => {
    const next = reconfig(THREE, { joiningServers: "server.4=127.0.0.1:34781:35331:observer;0.0.0.0:46187" }, 1n);
    expect(next).toContain("server.4=127.0.0.1:34781:35331:observer;0.0.0.0:46187\n");
  });

  it("needs one voter rather than two without standaloneEnabled", () => {
    const current = parseEnsembleConfig(THREE);
    const request = { joiningServers: null, leavingServers: "2,3", newMembers: null, curConfigId: -1n };
    expect(votersOf(applyReconfig(current, request, 1n, { standaloneEnabled: false }))).toEqual([1]);
    expect(codeOf(() => applyReconfig(current, { ...request, leavingServers: "1,2,3" }, 1n, { standaloneEnabled: false }))).toBe(ErrorCode.BADARGUMENTS);
  });
});

describe("hasSyncedQuorum", () => {
  const five = parseEnsembleConfig([1, 2, 3, 4, 5].map((id) => `server.${id}=h:${id}0:${id}1;${id}2`).join("\n") + "\nserver.6=h:60:61:observer;62");

  it("needs a majority of the voters among the synced servers", () => {
    expect(hasSyncedQuorum(five, [1, 2])).toBe(false);
    expect(hasSyncedQuorum(five, [1, 2, 3])).toBe(true);
  });

  it("counts neither observers nor servers outside the configuration, nor an id twice", () => {
    expect(hasSyncedQuorum(five, [1, 2, 6, 7, 2])).toBe(false);
  });

  it("is false for a configuration without voters", () => {
    expect(hasSyncedQuorum({ version: 0n, servers: [] }, [1])).toBe(false);
  });
});
