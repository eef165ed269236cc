import { resolve } from "node:path";
import { ConfigError } from "./config-error.js";
import { parseProperties } from "./properties.js";

export interface WithDynamicConfig {
  /** zoo.cfg's keys with the dynamic file's `server.N` lines in place of `dynamicConfigFile`. */
  props: Map<string, string>;
  /** The configuration's version from the file's name (`zoo.cfg.dynamic.<hex>`, as ZooKeeper names it); 0 without a file or one. */
  version: bigint;
}

/**
 * ZooKeeper 3.5+ with reconfigEnabled moves an ensemble's `server.N` lines (and the client
 * addresses on them) out of zoo.cfg into the file `dynamicConfigFile` names, with the
 * configuration's version, as soon as a leader takes office. A member going from ZooKeeper to
 * zkts starts on that zoo.cfg: its server lines are read from the file, relative paths from the
 * working directory as ZooKeeper reads them. Lines in zoo.cfg itself give way to the file's.
 */
export function withDynamicConfig(props: ReadonlyMap<string, string>, readFile: (path: string) => string): WithDynamicConfig {
  const named = props.get("dynamicConfigFile");
  if (named === undefined) return { props: new Map(props), version: 0n };
  const path = resolve(named.trim());
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(`dynamicConfigFile=${named.trim()}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const dynamic = parseProperties(text);
  const out = new Map([...props].filter(([key]) => key !== "dynamicConfigFile" && !/^server\./.test(key)));
  let servers = 0;
  for (const [key, value] of dynamic) {
    if (/^server\./.test(key)) {
      out.set(key, value);
      servers++;
    } else if (key === "version") {
      // ZooKeeper refuses it too ("dynamic file shouldn't have version inside").
      throw new ConfigError(
        `dynamicConfigFile=${named.trim()}: the file holds version=; the version is taken from the file's name (zoo.cfg.dynamic.<hex version>)`,
      );
    } else {
      throw new ConfigError(`dynamicConfigFile=${named.trim()}: ${key} is not served by zkts (majority quorums of server.N lines only)`);
    }
  }
  if (servers === 0) throw new ConfigError(`dynamicConfigFile=${named.trim()}: the file names no server.N line`);
  return { props: out, version: versionOfFileName(path) };
}

/** The hex number after the name's last dot, as ZooKeeper's getVersionFromFilename reads it; 0 when there is none. */
function versionOfFileName(path: string): bigint {
  const suffix = path.slice(path.lastIndexOf(".") + 1);
  return /^[0-9a-fA-F]{1,16}$/.test(suffix) ? BigInt(`0x${suffix}`) : 0n;
}
