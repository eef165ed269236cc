export { checkMutualExclusion, type Hold, type LockOptions } from "./lock.js";
export { checkUniqueIds } from "./unique-ids.js";
export { checkCounter, type CounterRead } from "./counter.js";
export { NO_FINAL_READ, checkSetMembership, type SetMembershipDetail } from "./set-membership.js";
export { checkQueueOrder, type QueueOrderDetail, type QueueOrderOptions } from "./queue-order.js";
export type { WorkloadResult } from "./result.js";
