export { ZabAssertionError, assert } from "./assert.js";
export { COUNTER_MAX_DEFAULT, EPOCH_MAX, type Zxid, counterOf, epochOf, formatZxid, makeZxid } from "./zxid.js";
export { type Rng, SeededRng, randomBelow, randomId } from "./rng.js";
export { MajorityQuorumVerifier, type PeerId, QuorumTracker, type QuorumVerifier } from "./quorum.js";
export {
  type Entry,
  type Message,
  type Notification,
  PeerState,
  type PeerStateName,
  type QuorumBody,
  type QuorumMessage,
  type QuorumMessageType,
  QuorumPacketType,
  isNotification,
  quorumMessage,
} from "./messages.js";
export { EMPTY_STATE, type PeerOptions, type PersistedState } from "./options.js";
export { type Membership, membershipOfVerifier, verifierOf } from "./membership.js";
export { type Express, type HardState, type Ready, type Role, type SoftState, appliesBeforePersist } from "./ready.js";
export { type PeerStatus, type ProposeResult, ZabPeer } from "./peer.js";
export { voteIsBetter } from "./election.js";
export type { TxnBuilder } from "./broadcast.js";
export type { Vote } from "./election-state.js";
