import { createHash } from "node:crypto";
import type { SimRandom } from "../sim/random.js";

/**
 * The ensemble's configuration as the reconfig nemesis sees it: who is in it and in which
 * role, read from /zookeeper/config (ZooKeeper's dynamic configuration text).
 */
export type MemberRole = "participant" | "observer";

export interface Membership {
  /** The configuration's version (hex, as the text writes it). */
  readonly version: string;
  readonly roles: ReadonlyMap<number, MemberRole>;
}

/** A membership change as one incremental reconfig: who leaves, who joins (or changes role). */
export interface MembershipChange {
  readonly shape: string;
  readonly leaving: readonly number[];
  readonly joining: readonly { readonly member: number; readonly role: MemberRole }[];
  /**
   * The version of the configuration the change was planned from. The reconfig carries it
   * (ZooKeeper's fromConfig), so an ensemble that has moved on since refuses it with
   * BADVERSION instead of applying a change planned for a membership it no longer has.
   */
  readonly fromVersion?: string;
}

/**
 * The super user the lab's reconfigs run as. Both targets get the same zoo.cfg keys:
 * reconfigEnabled, and the super user's digest (ZooKeeper reads the key as the system
 * property zookeeper.DigestAuthenticationProvider.superDigest, zkts from zoo.cfg).
 */
export const RECONFIG_SUPER_USER = "super:zkts-lab-reconfig";

export function reconfigZooCfg(): Record<string, string> {
  const [user, password] = RECONFIG_SUPER_USER.split(":") as [string, string];
  const digest = createHash("sha1").update(`${user}:${password}`).digest("base64");
  return { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": `${user}:${digest}` };
}

/** The `server.N=host:quorum:election[:role][;client]` lines and `version=` of a configuration text. */
export function parseMembership(text: string): Membership {
  const roles = new Map<number, MemberRole>();
  for (const match of text.matchAll(/^server\.(\d+)=([^\n;]*)/gm)) {
    roles.set(Number(match[1]), /:observer\s*$/.test(match[2]!) ? "observer" : "participant");
  }
  if (roles.size === 0) throw new Error(`no server lines in the configuration: ${JSON.stringify(text)}`);
  return { version: /^version=([0-9a-fA-F]+)\s*$/m.exec(text)?.[1] ?? "0", roles };
}

export function votersOf(membership: Membership): number[] {
  return [...membership.roles]
    .filter(([, role]) => role === "participant")
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

export function observersOf(membership: Membership): number[] {
  return [...membership.roles]
    .filter(([, role]) => role === "observer")
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

/** "voters 1,2,3; observers 4 (version 100000002)". */
export function describeMembership(membership: Membership): string {
  const observers = observersOf(membership);
  return `voters ${votersOf(membership).join(",")}${observers.length > 0 ? `; observers ${observers.join(",")}` : ""} (version ${membership.version})`;
}

export function sameMembers(a: Membership, b: Membership): boolean {
  return a.roles.size === b.roles.size && [...a.roles].every(([id, role]) => b.roles.get(id) === role);
}

/** The change that brings `current` back to `original` (every member in its original role), or null when nothing differs. */
export function restoringChange(current: Membership, original: Membership): MembershipChange | null {
  const joining = [...original.roles].filter(([id, role]) => current.roles.get(id) !== role).map(([member, role]) => ({ member, role }));
  const leaving = [...current.roles.keys()].filter((id) => !original.roles.has(id));
  if (joining.length === 0 && leaving.length === 0) return null;
  const names = [...joining.map((j) => `zk${j.member} as ${j.role}`), ...leaving.map((id) => `without zk${id}`)];
  return { shape: `restore ${names.join(", ")}`, leaving, joining: joining.sort((a, b) => a.member - b.member), fromVersion: current.version };
}

/**
 * The random nemesis's next change: a member out of its original role is put back first;
 * otherwise one voter is removed or turned into an observer, as long as the voters left are
 * still a majority of the original voters, so that every configuration the run passes through
 * could commit whatever the original one could. The voter is often one that does not serve
 * now (killed, paused, cut off: what an operator replaces, and a change the members still
 * running can commit), sometimes the leader, else any.
 */
export function plannedChange(
  current: Membership,
  original: Membership,
  random: SimRandom,
  leader: number | null,
  notServing: readonly number[] = [],
): MembershipChange | null {
  const back = restoringChange(current, original);
  if (back !== null) {
    const one = back.joining.length > 0 ? random.pick(back.joining) : null;
    if (one === null) return back;
    return { shape: `add zk${one.member} back as ${one.role}`, leaving: [], joining: [one], fromVersion: current.version };
  }
  const voters = votersOf(current);
  const quorumOfOriginal = Math.floor(votersOf(original).length / 2) + 1;
  if (voters.length - 1 < quorumOfOriginal) return null;
  const down = voters.filter((v) => notServing.includes(v));
  const member =
    down.length > 0 && random.chance(0.6) ? random.pick(down) : leader !== null && voters.includes(leader) && random.chance(0.3) ? leader : random.pick(voters);
  const who = member === leader ? `the leader zk${member}` : down.includes(member) ? `zk${member} (not serving)` : `zk${member}`;
  return random.chance(0.5)
    ? { shape: `remove ${who}`, leaving: [member], joining: [], fromVersion: current.version }
    : { shape: `${who} to observer`, leaving: [], joining: [{ member, role: "observer" }], fromVersion: current.version };
}
