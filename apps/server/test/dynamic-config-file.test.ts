import { describe, expect, it } from "vitest";
import { withDynamicConfig } from "../src/dynamic-config-file.js";
import { parseProperties } from "../src/properties.js";
import { dynamicFileText, staticConfigText } from "../src/static-config-rewrite.js";
import { ensembleFromProperties, ownClientAddress } from "../src/ensemble-cfg.js";
import { ConfigError, configFromProperties } from "../src/zoo-cfg.js";

// zoo.cfg as ZooKeeper 3.8 rewrites it once a leader of a reconfigEnabled ensemble takes office.
const REWRITTEN = "dataDir=/data\ntickTime=2000\ninitLimit=10\nsyncLimit=5\nreconfigEnabled=true\ndynamicConfigFile=/conf/zoo.cfg.dynamic.100000000\n";
// The file holds the server lines only: ZooKeeper takes the version from the file's name.
const DYNAMIC =
  "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\nserver.3=10.0.0.3:2888:3888:observer;0.0.0.0:2181";

describe("ZooKeeper's dynamic configuration file", () => {
  it("gives the server lines and the configuration's version, in place of the key", () => {
    const read: string[] = [];
    const { props, version } = withDynamicConfig(parseProperties(REWRITTEN), (path) => {
      read.push(path);
      return DYNAMIC;
    });
    expect(read).toEqual(["/conf/zoo.cfg.dynamic.100000000"]);
    expect(version).toBe(0x100000000n);
    expect(props.get("server.3")).toBe("10.0.0.3:2888:3888:observer;0.0.0.0:2181");
    expect(props.has("dynamicConfigFile")).toBe(false);
    expect(props.get("tickTime")).toBe("2000");
  });

  it("leaves a zoo.cfg without one as it is, at version 0", () => {
    const props = parseProperties("dataDir=/data\nserver.1=a:1:2\n");
    expect(withDynamicConfig(props, () => "")).toEqual({ props, version: 0n });
  });

  it("names the key when the file cannot be read or holds what zkts does not serve", () => {
    const props = parseProperties(REWRITTEN);
    const missing = () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    };
    expect(() => withDynamicConfig(props, missing)).toThrowError(new ConfigError("dynamicConfigFile=/conf/zoo.cfg.dynamic.100000000: cannot read it (ENOENT)"));
    expect(() => withDynamicConfig(props, () => `${DYNAMIC}\ngroup.1=1:2:3\n`)).toThrowError(/group\.1 is not served by zkts/);
    expect(() => withDynamicConfig(props, () => "")).toThrowError(/names no server\.N line/);
    // ZooKeeper 3.8 refuses a version inside the file ("dynamic file shouldn't have version inside").
    expect(() => withDynamicConfig(props, () => `${DYNAMIC}\nversion=100000000\n`)).toThrowError(/holds version=; the version is taken from the file's name/);
  });

  it("takes no version from a name without a hexadecimal suffix", () => {
    const props = parseProperties("dataDir=/data\ndynamicConfigFile=/conf/zoo.cfg.dynamic\n");
    expect(withDynamicConfig(props, () => DYNAMIC).version).toBe(0n);
  });
});

describe("zoo.cfg rewritten for the configuration in force, as ZooKeeper 3.8 rewrites it", () => {
  it("writes the dynamic file as sorted server lines without the version", () => {
    const text = "server.2=b:2888:3888:participant;2182\nserver.1=a:2888:3888:participant;2181\nversion=200000003\n";
    expect(dynamicFileText(text)).toBe("server.1=a:2888:3888:participant;2181\nserver.2=b:2888:3888:participant;2182");
  });

  it("drops what moved to the dynamic file and points at it, keeping every other key in order", () => {
    const zooCfg =
      "# comment\ntickTime=2000\ndataDir=/data\nclientPort=2181\nclientPortAddress=0.0.0.0\nserver.1=a:1:2\nserver.2=b:1:2\ndynamicConfigFile=/conf/zoo.cfg.dynamic.100000000\nreconfigEnabled=true\n";
    expect(staticConfigText(zooCfg, "/conf/zoo.cfg.dynamic.200000003", true)).toBe(
      "tickTime=2000\ndataDir=/data\nreconfigEnabled=true\ndynamicConfigFile=/conf/zoo.cfg.dynamic.200000003\n",
    );
    // The client address stays in zoo.cfg when the member's own line does not give one.
    expect(staticConfigText(zooCfg, "/conf/zoo.cfg.dynamic.200000003", false)).toContain("clientPort=2181\nclientPortAddress=0.0.0.0\n");
  });
});

describe("a member restarted on the zoo.cfg a reconfig rewrote", () => {
  // The lab's mixed runs found this: once a reconfig removed server.1, zoo.cfg (its clientPort
  // moved to the member's own server line) was refused with "clientPort is required".
  it("takes its client address from its own server line, whichever members the configuration kept", () => {
    const started =
      "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/data\nclientPort=2182\nreconfigEnabled=true\nserver.1=a:1:2;2181\nserver.2=b:1:2;2182\nserver.3=c:1:2;2183\n";
    const afterRemovingOne = "server.2=b:1:2:participant;127.0.0.1:2182\nserver.3=c:1:2:participant;127.0.0.1:2183\nversion=20000000b\n";
    const zooCfg = staticConfigText(started, "/conf/zoo.cfg.dynamic.20000000b", true);
    expect(zooCfg).not.toContain("clientPort");
    const { props } = withDynamicConfig(parseProperties(zooCfg), () => dynamicFileText(afterRemovingOne));
    const { config } = configFromProperties(props, "/");
    const ensemble = ensembleFromProperties(props, () => "2")!;
    expect(ensemble.members.map((m) => m.id)).toEqual([2, 3]);
    expect(ownClientAddress(ensemble, { clientPort: null, clientPortAddress: null })).toMatchObject({ clientPort: 2182, clientPortAddress: "127.0.0.1" });
    expect(config.dataDir).toBe("/data");
  });
});
