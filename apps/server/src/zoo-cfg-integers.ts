import { type Static, Type } from "@sinclair/typebox";
import { JavaInt, JavaLong, Port, readCfgSchema } from "./cfg-schema.js";

/**
 * The integer keys of zoo.cfg that zkts reads, named as they are written there, with ZooKeeper
 * 3.8's defaults and the values it starts with. Where ZooKeeper accepts a value and runs with
 * another (snapCount 1 runs as 2) or reads a range as "off", `description` says so and
 * zoo-cfg.ts applies it; only what ZooKeeper would also refuse, or cannot run with, is refused.
 * Keys ZooKeeper reads as system properties are also accepted as `zookeeper.K` (zoo-cfg.ts).
 */
export const ZooCfgIntegers = Type.Object({
  tickTime: JavaInt({ minimum: 1 }),
  clientPort: Port({ default: 2181 }),
  maxClientCnxns: JavaInt({ default: 60, description: "0 or less: no limit" }),
  minSessionTimeout: JavaInt({ default: -1, description: "-1: twice tickTime" }),
  maxSessionTimeout: JavaInt({ default: -1, description: "-1: twenty times tickTime" }),
  "jute.maxbuffer": JavaInt({ minimum: 1, default: 0xfffff }),
  "admin.serverPort": Port({ default: 8080 }),
  maxOutstandingPerConnection: JavaInt({ minimum: 1, default: 1000 }),
  "nio.sessionlessCnxnTimeout": JavaInt({ minimum: 1, default: 10_000 }),
  globalOutstandingLimit: JavaInt({ minimum: 1, default: 1000 }),
  "znode.container.checkIntervalMs": JavaInt({ minimum: 1, default: 60_000 }),
  // ZooKeeper divides a minute by it, so 0 stops its container manager from starting.
  "znode.container.maxPerMinute": JavaInt({ minimum: 1, default: 10_000 }),
  "znode.container.maxNeverUsedIntervalMs": JavaLong({ minimum: 0, default: 0 }),
  snapCount: JavaInt({ default: 100_000, description: "below 2 runs as 2" }),
  snapSizeLimitInKb: JavaLong({ default: 4 * 1024 * 1024, description: "0 or less: no size trigger" }),
  preAllocSize: JavaLong({ default: 64 * 1024, description: "in KiB; 0 or less: no preallocation" }),
  txnLogSizeLimitInKb: JavaLong({ default: -1, description: "0 or less: no limit" }),
  "fsync.warningthresholdms": JavaLong({ default: 1000 }),
  "autopurge.snapRetainCount": JavaInt({ default: 3, description: "below 3 keeps 3" }),
  "autopurge.purgeInterval": JavaInt({ default: 0, description: "0 or less: no purge" }),
  "zkts.progressIntervalMs": JavaInt({ minimum: 1, default: 5000 }),
  "zkts.slowRequestThresholdMs": JavaInt({ minimum: 0, default: 0 }),
  "zkts.clientOutgoingBytesSoft": JavaInt({ minimum: 1, default: 1024 * 1024 }),
  "zkts.clientOutgoingBytesMax": JavaInt({ minimum: 1, default: 16 * 1024 * 1024 }),
});
export type ZooCfgIntegerValues = Static<typeof ZooCfgIntegers>;
export type ZooCfgIntegerKey = keyof ZooCfgIntegerValues;

/** The keys of ZooCfgIntegers: the known-key list of zoo-cfg.ts includes them. */
export const ZOO_CFG_INTEGER_KEYS: readonly ZooCfgIntegerKey[] = Object.keys(ZooCfgIntegers.properties) as ZooCfgIntegerKey[];

/**
 * Reads every integer key through `get` (absent: the default), then checks them all against
 * the schema; the first error names the zoo.cfg key and the value written there.
 */
export function readZooCfgIntegers(get: (key: string) => string | undefined): ZooCfgIntegerValues {
  return readCfgSchema(ZooCfgIntegers, get);
}
