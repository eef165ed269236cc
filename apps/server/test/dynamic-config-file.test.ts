import { describe, expect, it } from "vitest";
import { withDynamicConfig } from "../src/dynamic-config-file.js";
import { parseProperties } from "../src/properties.js";
import { ConfigError } from "../src/zoo-cfg.js";

// zoo.cfg as ZooKeeper 3.8 rewrites it once a leader of a reconfigEnabled ensemble takes office.
const REWRITTEN = "dataDir=/data\ntickTime=2000\ninitLimit=10\nsyncLimit=5\nreconfigEnabled=true\ndynamicConfigFile=/conf/zoo.cfg.dynamic.100000000\n";
const DYNAMIC =
  "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\nserver.3=10.0.0.3:2888:3888:observer;0.0.0.0:2181\nversion=100000000\n";

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
    expect(() => withDynamicConfig(props, () => `${DYNAMIC}group.1=1:2:3\n`)).toThrowError(/group\.1 is not served by zkts/);
    expect(() => withDynamicConfig(props, () => "version=100000000\n")).toThrowError(/names no server\.N line/);
    expect(() => withDynamicConfig(props, () => `${DYNAMIC}version=xyz\n`)).toThrowError(/version=xyz is not a hexadecimal zxid/);
  });
});
