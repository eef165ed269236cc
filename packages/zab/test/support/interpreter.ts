import { formatZxid } from "../../src/index.js";
import { Cluster, bytes } from "./cluster.js";
import { text } from "./format.js";

const STABILIZE_ROUNDS_MAX = 200;

/** Runs one scenario command against the cluster it owns and returns the output lines. */
export class Interpreter {
  private cluster: Cluster | null = null;

  run(command: string): string[] {
    const [name, ...args] = command.split(/\s+/);
    switch (name) {
      case "add-nodes":
        return this.addNodes(args);
      case "tick":
        return this.tick(args);
      case "deliver-msgs":
        return this.c().deliverAll(this.ids(args));
      case "process-ready":
        return this.processReady(this.ids(args) ?? this.c().ids());
      case "stabilize":
        return this.stabilize();
      case "settle":
        return this.settle(Number(args[0] ?? 1));
      case "propose":
        return this.propose(Number(args[0]), args.slice(1).join(" "));
      case "sync":
      case "sync-confirmed": {
        const options = { confirmQuorum: name === "sync-confirmed" };
        const ok = this.c().node(Number(args[0])).peer?.sync(Number(args[1]), options) ?? false;
        return [ok ? "accepted" : "refused"];
      }
      case "crash":
        for (const id of this.ids(args) ?? []) this.c().crash(id);
        return [];
      case "restart":
        for (const id of this.ids(args) ?? []) this.c().restart(id);
        return [];
      case "disconnect": {
        // disconnect <id> <peer>: node id's transport saw its connection to peer close.
        this.c().node(Number(args[0])).peer?.disconnected(Number(args[1]));
        return [];
      }
      case "unreachable": {
        // unreachable <id> <peer>: node id's transport lost its election link to peer.
        this.c().node(Number(args[0])).peer?.reachable(Number(args[1]), false);
        return [];
      }
      case "join": {
        // join <id> voters=1,2,3,4 [observers=5]: a server outside the configuration starts.
        const opts = Object.fromEntries(args.slice(1).map((a) => a.split("=") as [string, string]));
        const ids = (list: string | undefined) => (list === undefined || list === "" ? [] : list.split(",").map(Number));
        this.c().join(Number(args[0]), ids(opts.voters), ids(opts.observers));
        return [];
      }
      case "partition":
        this.c().partition(
          args
            .join(" ")
            .split("|")
            .map((g) => g.trim().split(/\s+/).map(Number)),
        );
        return [];
      case "heal":
        this.c().heal();
        return [];
      case "status":
        return this.status(this.ids(args) ?? this.c().ids());
      case "applied":
        return this.applied(this.ids(args) ?? this.c().ids());
      default:
        throw new Error(`unknown command: ${command}`);
    }
  }

  private c(): Cluster {
    if (this.cluster === null) throw new Error("add-nodes first");
    return this.cluster;
  }

  private ids(args: readonly string[]): number[] | undefined {
    return args.length === 0 ? undefined : args.map(Number);
  }

  /** add-nodes <voters> [observers=N] [init-limit=N] [sync-limit=N] [log-retain=N] [counter-max=N] [unsafe-commit-without-quorum=1] */
  private addNodes(args: readonly string[]): string[] {
    const opts: Record<string, number> = {};
    for (const a of args.slice(1)) {
      const [k, v] = a.split("=");
      opts[k as string] = Number(v);
    }
    this.cluster = new Cluster({
      voters: Number(args[0]),
      ...(opts.observers === undefined ? {} : { observers: opts.observers }),
      ...(opts["init-limit"] === undefined ? {} : { initLimit: opts["init-limit"] }),
      ...(opts["sync-limit"] === undefined ? {} : { syncLimit: opts["sync-limit"] }),
      ...(opts["log-retain"] === undefined ? {} : { logRetainEntries: opts["log-retain"] }),
      ...(opts["counter-max"] === undefined ? {} : { zxidCounterMax: opts["counter-max"] }),
      ...(opts["unsafe-commit-without-quorum"] === 1 ? { unsafeCommitWithoutQuorum: true } : {}),
    });
    return [];
  }

  /** tick <id|all> [count] */
  private tick(args: readonly string[]): string[] {
    const ids = args[0] === "all" || args[0] === undefined ? this.c().ids() : [Number(args[0])];
    const count = Number(args[1] ?? 1);
    for (let i = 0; i < count; i++) for (const id of ids) this.c().tick(id);
    return [];
  }

  private processReady(ids: readonly number[]): string[] {
    return ids.flatMap((id) => this.c().processReady(id));
  }

  /** Readies and deliveries until quiet; prints only what a reader cares about. */
  private stabilize(): string[] {
    const c = this.c();
    const lines: string[] = [];
    for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
      let busy = false;
      for (const id of c.ids()) {
        const out = c.processReady(id);
        if (out.length > 0) busy = true;
        lines.push(...summarize(out));
      }
      if (c.hasMessages()) {
        busy = true;
        c.deliverAll();
      }
      if (!busy) return lines;
    }
    throw new Error("stabilize did not converge");
  }

  /** `count` rounds of: tick every node, then stabilize. */
  private settle(count: number): string[] {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      for (const id of this.c().ids()) this.c().tick(id);
      lines.push(...this.stabilize());
    }
    return lines;
  }

  /** A client's write at node `id`: the leader proposes it, a learner forwards it (Cluster.submit). */
  private propose(id: number, data: string): string[] {
    const submitted = this.c().submit(id, bytes(data));
    if (submitted === null) return ["node is down"];
    const r = submitted.result;
    const outcome = r.kind === "proposed" ? `proposed ${formatZxid(r.zxid)}` : `dropped: ${r.reason}`;
    return [submitted.forwardedTo === null ? outcome : `forwarded to ${submitted.forwardedTo}: ${outcome}`];
  }

  private status(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const peer = this.c().node(id).peer;
      if (peer === null) return `${id} down`;
      const s = peer.status();
      const role = `${s.role}${s.serving ? "*" : ""}`;
      return (
        `${id} ${role} leader=${s.leader ?? "-"} epoch=${s.epoch} accepted=${s.acceptedEpoch} current=${s.currentEpoch} ` +
        `last=${formatZxid(s.lastZxid)} commit=${formatZxid(s.commitZxid)} applied=${formatZxid(s.appliedZxid)}` +
        (s.membership.version === 0n ? "" : ` config=${formatZxid(s.membership.version)}`)
      );
    });
  }

  private applied(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const n = this.c().node(id);
      const list = n.applied.map((e) => `${formatZxid(e.zxid)}:${text(e.data)}`).join(" ");
      return `${id}: ${list === "" ? "(none)" : list}`;
    });
  }
}

/** stabilize's view of a Ready: state changes, snapshots, truncations, applied entries. */
function summarize(lines: readonly string[]): string[] {
  const id = lines[0]?.match(/^> (\d+) ready/)?.[1];
  if (id === undefined) return [];
  return lines
    .slice(1)
    .filter((l) => /^ {2}(state|install|truncate|apply|activate|sync-|crashed)/.test(l))
    .map((l) => `${id}: ${l.trim()}`);
}
