import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { parseProperties } from "./properties.js";

/**
 * With reconfigEnabled, ZooKeeper 3.8 keeps the configuration in force beside zoo.cfg, where an
 * operator and a restarted member find it: each configuration that comes into force is written
 * to `<zoo.cfg>.dynamic.<version in hex>` (its `server.N` lines, sorted, without the version,
 * which the name carries), and zoo.cfg is rewritten without its server lines and with
 * `dynamicConfigFile=` naming that file. zkts members do the same, so that a member moved
 * between the two servers, or restarted after a reconfig, starts on the configuration the
 * ensemble is in, not the one zoo.cfg was first written with.
 */
export class StaticConfigRewriter {
  private recorded: bigint;

  /**
   * `startVersion`: the version of the configuration zoo.cfg gave at start (0 for server lines
   * in zoo.cfg itself, which ZooKeeper leaves as they are until a leader stamps a version).
   */
  constructor(
    private readonly configPath: string,
    private readonly myid: number,
    startVersion: bigint,
  ) {
    this.recorded = startVersion;
  }

  /** Records a configuration that came into force; returns the dynamic file written, or null when it was already recorded. */
  activated(configText: string, version: bigint): string | null {
    if (version <= this.recorded) return null;
    const dynamicPath = resolve(`${this.configPath}.dynamic.${version.toString(16)}`);
    writeAtomically(dynamicPath, dynamicFileText(configText));
    const eraseClientAddress = ownLineHasClientAddress(configText, this.myid);
    writeAtomically(this.configPath, staticConfigText(readFileSync(this.configPath, "utf8"), dynamicPath, eraseClientAddress));
    this.recorded = version;
    return dynamicPath;
  }
}

/** The dynamic file's text as ZooKeeper writes it: every key but `version`, as `key=value`, sorted. */
export function dynamicFileText(configText: string): string {
  const lines = [...parseProperties(configText)].filter(([key]) => key !== "version").map(([key, value]) => `${key}=${value}`);
  return lines.sort().join("\n");
}

/**
 * zoo.cfg without what the dynamic file now holds (server, group and weight lines, peerType, an
 * older dynamicConfigFile, and the client address when the member's own server line gives it)
 * and with `dynamicConfigFile=` naming the new file. Like ZooKeeper's rewrite, it keeps keys and
 * values, not comments; the keys stay in their order.
 */
export function staticConfigText(zooCfgText: string, dynamicPath: string, eraseClientAddress: boolean): string {
  const kept = [...parseProperties(zooCfgText)].filter(([key]) => !movesToDynamicFile(key, eraseClientAddress));
  return [...kept.map(([key, value]) => `${key}=${value}`), `dynamicConfigFile=${dynamicPath}`, ""].join("\n");
}

function movesToDynamicFile(key: string, eraseClientAddress: boolean): boolean {
  if (/^(server\.|group|weight|dynamicConfigFile|peerType)/.test(key)) return true;
  return eraseClientAddress && key.startsWith("clientPort");
}

/** `server.<myid>=...;[host:]port`: the line names where this member serves clients. */
function ownLineHasClientAddress(configText: string, myid: number): boolean {
  return parseProperties(configText).get(`server.${myid}`)?.includes(";") ?? false;
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
