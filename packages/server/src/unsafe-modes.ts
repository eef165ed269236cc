/**
 * Deliberately broken behaviours that prove the lab catches real bugs (zoo.cfg
 * `zkts.unsafe=<mode>`; apps/server refuses them unless ZKTS_UNSAFE=1 is in its environment).
 * Each is one flag, read by the one component it breaks:
 *
 * - `commit-without-quorum`: the zab leader commits a proposal once its own log holds it,
 *   without waiting for a quorum's ACKs (PeerOptions.unsafeCommitWithoutQuorum).
 * - `unconfirmed-reads`: a linearizable read waits for a plain sync, without the leader's
 *   quorum confirmation (EnsembleServer).
 * - `ack-before-fsync`: log writes are held back in memory for a while and reported durable
 *   at once, so a member acknowledges proposals before the write is even issued (EnsembleStore).
 * - `never-expire`: the session tracker never expires a session (SessionTracker).
 */
export const UNSAFE_MODES = ["commit-without-quorum", "unconfirmed-reads", "ack-before-fsync", "never-expire"] as const;

export type UnsafeMode = (typeof UNSAFE_MODES)[number];

export function isUnsafeMode(text: string): text is UnsafeMode {
  return (UNSAFE_MODES as readonly string[]).includes(text);
}

/** How long `ack-before-fsync` keeps a log write in memory after acknowledging it. */
export const UNSAFE_LOG_WRITE_HOLD_MS = 2000;
