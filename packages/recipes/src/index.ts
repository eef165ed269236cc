export { Contender, LockLostError, type AcquireOptions, type LockOptions } from "./contender.js";
export { Lock, ReadWriteLock, LOCK_KIND, READ_LOCK_KIND } from "./lock.js";
export { Semaphore } from "./semaphore.js";
export { LeaderElection, type ElectionOptions } from "./election.js";
export { Barrier, DoubleBarrier } from "./barrier.js";
export { DistributedQueue } from "./queue.js";
export { SharedCounter } from "./counter.js";
export { TreeCache, type CachedNode, type TreeCacheEvent } from "./tree-cache.js";
