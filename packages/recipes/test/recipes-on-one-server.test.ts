import { afterAll, beforeAll, describe } from "vitest";
import { leaseFormatTests, leaseTests } from "./suites/lease.js";
import { lockingQueueTests } from "./suites/locking-queue.js";
import { persistentNodeTests } from "./suites/persistent-node.js";
import { serviceDiscoveryTests, serviceInstanceJsonTests } from "./suites/service-discovery.js";
import { partitionFunctionTests, setPartitionerTests } from "./suites/set-partitioner.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * The kazoo- and Curator-compatible recipes (leases, set partitioner, locking queue,
 * persistent node, service discovery), each suite in test/suites/. They share one server of
 * each kind, because starting the reference ZooKeeper costs seconds and the suites only need
 * distinct paths. Extended types are on for PersistentNode's TTL mode; nothing else notices.
 */
leaseFormatTests();
partitionFunctionTests();
serviceInstanceJsonTests();

describe.each(targets)("kazoo- and Curator-compatible recipes against %s", (kind) => {
  let server: TargetServer;

  beforeAll(async () => {
    server = await startTarget(kind, { config: { extendedTypesEnabled: "true" } });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  leaseTests(() => server);
  setPartitionerTests(() => server);
  lockingQueueTests(() => server);
  persistentNodeTests(() => server);
  serviceDiscoveryTests(() => server);
});
