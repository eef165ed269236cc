import { MajorityQuorumVerifier, type PeerId, type QuorumVerifier } from "./quorum.js";
import type { Zxid } from "./zxid.js";

/**
 * A configuration of the ensemble (ZooKeeper's dynamic config): who votes, who observes,
 * and the caller's own description of it (ZooKeeper's config text with addresses), which the
 * core carries and never reads. `version` is the zxid of the reconfig transaction that made
 * it, 0 for the configuration the ensemble started with.
 */
export interface Membership {
  readonly version: Zxid;
  readonly voters: readonly PeerId[];
  readonly observers: readonly PeerId[];
  readonly data: Uint8Array;
}

export function verifierOf(m: Membership): QuorumVerifier {
  return new MajorityQuorumVerifier(m.voters, m.observers, m.version);
}

/** The starting configuration, given as a verifier, as a membership with no description. */
export function membershipOfVerifier(v: QuorumVerifier): Membership {
  return { version: v.version, voters: [...v.voters], observers: [...v.observers], data: new Uint8Array(0) };
}
