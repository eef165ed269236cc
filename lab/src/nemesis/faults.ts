import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster, LinkScope, LinkToxic } from "../cluster/cluster.js";
import type { Grudge } from "./grudges.js";
import type { MemberRole } from "./membership.js";
import { type ActionOutcome, reconfigure } from "./reconfigure.js";

/**
 * One thing the nemesis does to the cluster, with its members resolved (named, not "the
 * leader"), as the schedule that actually ran records it: replaying it needs nothing but the
 * cluster. A fault is a start action and, later, the action that ends it.
 */
export type FaultAction =
  | { readonly do: "partition"; readonly shape: string; readonly grudge: Grudge }
  /**
   * A toxic on members' peer links (both ways), or with `clients` on the links between the
   * lab's clients and those members. `toLockHolder`: also the member whose client holds the lock
   * workload's lock when the action runs (resolved then; the schedule records the member).
   */
  | {
      readonly do: "links";
      readonly shape: string;
      readonly members: readonly number[];
      readonly toxic: LinkToxic;
      readonly clients?: boolean;
      readonly toLockHolder?: boolean;
    }
  /** Removes every toxic: ends partitions and link faults. */
  | { readonly do: "heal-links" }
  | { readonly do: "kill"; readonly members: readonly number[] }
  | { readonly do: "start"; readonly members: readonly number[] }
  | { readonly do: "pause"; readonly members: readonly number[] }
  | { readonly do: "resume"; readonly members: readonly number[] }
  | { readonly do: "fill-disk"; readonly members: readonly number[] }
  | { readonly do: "free-disk"; readonly members: readonly number[] }
  /**
   * A membership change (one incremental reconfig): `leaving` are removed, `joining` added or
   * given a new role. Its outcome (ok, failed, unknown) is recorded with it.
   */
  | {
      readonly do: "reconfig";
      readonly shape: string;
      readonly leaving: readonly number[];
      readonly joining: readonly { readonly member: number; readonly role: MemberRole }[];
      /** Refused unless the configuration still has this version (a planned change); a scenario's changes have none. */
      readonly fromVersion?: string;
    }
  /** Not a fault: lets the workload's clients write or not (a scenario that needs a write-free moment). */
  | { readonly do: "writes"; readonly enabled: boolean };

/** What the schedule may switch on the clients' side. */
export interface ClientControls {
  writesEnabled: boolean;
  /** The member whose client holds the lock workload's lock now, if any (the lock workload keeps it). */
  lockHolderMember?: number | null;
}

/** A fault as the random nemesis chooses it: the action that starts it and the one that ends it. */
export interface Fault {
  readonly family: string;
  readonly begin: FaultAction;
  readonly end: FaultAction;
}

/** Carries out an action; a reconfig returns its outcome. */
export async function performAction(cluster: Cluster, action: FaultAction, controls: ClientControls): Promise<ActionOutcome | undefined> {
  switch (action.do) {
    case "reconfig":
      return await reconfigure(cluster, action);
    case "writes":
      controls.writesEnabled = action.enabled;
      return;
    case "partition":
      await blackhole(cluster, action.grudge);
      return;
    case "links": {
      const scopes: LinkScope[] = [];
      if (action.clients) {
        await cluster.links.add(
          action.members.map((member) => ({ kind: "client", member })),
          action.toxic,
          "both",
        );
        return;
      }
      for (const from of action.members) {
        for (const to of cluster.members) if (to !== from) scopes.push({ kind: "peer", link: { from, to } }, { kind: "peer", link: { from: to, to: from } });
      }
      await cluster.links.add(scopes, action.toxic, "both");
      return;
    }
    case "heal-links":
      await cluster.links.healAll();
      return;
    case "kill":
      await Promise.all(action.members.map((m) => cluster.kill(m, "SIGKILL")));
      return;
    case "start":
      await Promise.all(action.members.map((m) => cluster.start(m)));
      return;
    case "pause":
      await Promise.all(action.members.map((m) => cluster.pause(m)));
      return;
    case "resume":
      await Promise.all(action.members.map((m) => cluster.resume(m)));
      return;
    case "fill-disk":
      await Promise.all(action.members.map((m) => cluster.fillDisk(m)));
      return;
    case "free-disk":
      await Promise.all(action.members.map((m) => cluster.freeDisk(m)));
      return;
  }
}

/**
 * Names the member a `toLockHolder` action means now: the lock holder's, waiting up to
 * `waitMs` for someone to hold the lock. The action returned names its members only.
 */
export async function resolveLockHolder(action: FaultAction, controls: ClientControls, waitMs = 3000): Promise<FaultAction> {
  if (action.do !== "links" || !action.toLockHolder) return action;
  const { toLockHolder: _resolved, ...rest } = action;
  for (let waited = 0; controls.lockHolderMember == null && waited < waitMs; waited += 50) await sleep(50);
  const holder = controls.lockHolderMember;
  if (holder == null) return { ...rest, shape: `${action.shape} (nobody held the lock)` };
  return {
    ...rest,
    shape: action.shape.replace("lock-holder", `lock-holder zk${holder}`),
    members: [...new Set([...action.members, holder])].sort((a, b) => a - b),
  };
}

/** Heals everything, whatever is active: how every run ends. */
export async function healEverything(cluster: Cluster, disksFull: ReadonlySet<number> = new Set()): Promise<void> {
  await cluster.links.healAll();
  for (const m of disksFull) await cluster.freeDisk(m);
  for (const m of cluster.members) {
    await cluster.resume(m);
    if (!cluster.isRunning(m)) await cluster.start(m);
  }
}

/**
 * A silent partition: the sender's bytes, and its closes, vanish on the way to the receiver
 * (Toxiproxy's timeout toxic with timeout 0, never a refused connection; with the lab's own
 * Toxiproxy a close is held back too, as a real partition holds back the FIN). For each [receiver, sender],
 * the sender's requests on links it dials and its answers on links the receiver dials.
 */
async function blackhole(cluster: Cluster, grudge: Grudge): Promise<void> {
  const silence: LinkToxic = { type: "timeout", timeoutMs: 0, holdClose: true };
  const senderDials: LinkScope[] = grudge.map(([receiver, sender]) => ({ kind: "peer", link: { from: sender, to: receiver } }));
  const receiverDials: LinkScope[] = grudge.map(([receiver, sender]) => ({ kind: "peer", link: { from: receiver, to: sender } }));
  await cluster.links.add(senderDials, silence, "upstream");
  await cluster.links.add(receiverDials, silence, "downstream");
}

/** One line for progress output and reports. */
export function describeAction(action: FaultAction): string {
  switch (action.do) {
    case "partition": {
      const deaf = new Map<number, number[]>();
      for (const [r, s] of action.grudge) deaf.set(r, [...(deaf.get(r) ?? []), s]);
      const parts = [...deaf].sort(([a], [b]) => a - b).map(([r, ss]) => `${r} deaf to {${ss.sort((a, b) => a - b).join(",")}}`);
      return `partition ${action.shape}: ${parts.join("; ")}`;
    }
    case "links":
      return `${action.toxic.type} ${action.shape} on ${action.clients ? "the client links of " : ""}${action.members.join(",")}: ${JSON.stringify(action.toxic)}`;
    case "heal-links":
      return "heal links";
    case "writes":
      return action.enabled ? "clients write again" : "clients stop writing";
    case "reconfig": {
      const joining = action.joining.map((j) => `+zk${j.member}${j.role === "observer" ? " (observer)" : ""}`);
      const from = action.fromVersion === undefined ? "" : ` (from version ${action.fromVersion})`;
      return `reconfig ${action.shape}: ${[...action.leaving.map((m) => `-zk${m}`), ...joining].join(" ")}${from}`;
    }
    default:
      return `${action.do} ${action.members.join(",")}`;
  }
}
