export { checkWrites, runSimulation, replayCommand, type SimulationOptions, type SimulationResult, type SimulationStats } from "./sim/simulation.js";
export type { ReadMode } from "./sim/client.js";
export { ZabInvariants, InvariantViolation } from "./sim/invariants.js";
export { SimDisk, type RecoveredDisk } from "./sim/disk.js";
export { SimCrash, SimFs, type SimFsStats } from "./sim/sim-fs.js";
export { SimNetwork, type NetworkFaults, type Envelope } from "./sim/network.js";
export { EventQueue } from "./sim/event-queue.js";
export { SimRandom } from "./sim/random.js";
export {
  LINK_BYTES_HELD_MAX,
  TOXIPROXY_API_VERSION,
  startToxiproxyServer,
  type ProxyJson,
  type ToxicSpec,
  type ToxicStream,
  type ToxiproxyServer,
  type ToxiproxyServerOptions,
} from "./toxiproxy/index.js";
