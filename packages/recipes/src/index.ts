export { Contender, LockLostError, type AcquireOptions, type LockOptions } from "./contender.js";
export { Lock, ReadWriteLock, LOCK_KIND, READ_LOCK_KIND } from "./lock.js";
export { Semaphore } from "./semaphore.js";
export { LeaderElection, type ElectionOptions } from "./election.js";
export { Barrier, DoubleBarrier } from "./barrier.js";
export { DistributedQueue } from "./queue.js";
export { SharedCounter } from "./counter.js";
export { TreeCache, type CachedNode, type TreeCacheEvent } from "./tree-cache.js";
export { LeaderLatch, LATCH_KIND, type LeaderLatchOptions } from "./leader-latch.js";
export { Party, PARTY_KIND } from "./party.js";
export { ShallowParty } from "./shallow-party.js";
export {
  NonBlockingLease,
  MultiNonBlockingLease,
  LEASE_FORMAT_VERSION,
  LEASE_HOLDER_NODE,
  encodeLeaseRecord,
  decodeLeaseRecord,
  formatLeaseTime,
  parseLeaseTime,
  type LeaseOptions,
  type LeaseRecord,
} from "./lease.js";
export {
  SetPartitioner,
  kazooPartition,
  type PartitionState,
  type PartitionItem,
  type PartitionFunction,
  type SetPartitionerOptions,
} from "./set-partitioner.js";
export { LockingQueue } from "./locking-queue.js";
export { RenewingClient } from "./renewing-client.js";
export { PersistentNode, PROTECTED_PREFIX, type PersistentNodeMode, type PersistentNodeOptions } from "./persistent-node.js";
export { ServiceDiscovery, type ServiceDiscoveryOptions } from "./service-discovery.js";
export { encodeServiceInstance, decodeServiceInstance, buildServiceUri, parseUriSpec, type ServiceInstance, type ServiceType } from "./service-instance.js";
