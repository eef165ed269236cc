import { type Static, Type } from "@sinclair/typebox";
import { WORKLOADS } from "../run/run-options.js";
import { UNSAFE_MODES } from "../run/unsafe.js";

/**
 * A member named by its role when the workload starts: `leader`, `follower1`.. (the
 * followers by id), `zkN` (server id N), `rest` (every member no other group of the same step
 * names) or `all`.
 */
const Role = Type.String({ pattern: "^(leader|follower[1-9][0-9]*|zk[1-9][0-9]*|rest|all)$" });
const Members = Type.Array(Role, { minItems: 1 });
const At = Type.Integer({ minimum: 0, description: "ms from the start of the workload phase" });

const Toxic = Type.Union([
  Type.Object({ type: Type.Literal("timeout"), timeoutMs: Type.Integer({ minimum: 0 }) }),
  Type.Object({ type: Type.Literal("latency"), latencyMs: Type.Integer({ minimum: 0 }), jitterMs: Type.Integer({ minimum: 0 }) }),
  Type.Object({ type: Type.Literal("bandwidth"), rateKBps: Type.Integer({ minimum: 0 }) }),
  Type.Object({
    type: Type.Literal("slicer"),
    averageSize: Type.Integer({ minimum: 1 }),
    sizeVariation: Type.Integer({ minimum: 0 }),
    delayUs: Type.Integer({ minimum: 0 }),
  }),
  Type.Object({ type: Type.Literal("reset_peer"), timeoutMs: Type.Integer({ minimum: 0 }) }),
]);

const Step = Type.Union([
  Type.Object({ at: At, do: Type.Literal("partition"), groups: Type.Array(Members, { minItems: 2 }) }),
  Type.Object({ at: At, do: Type.Literal("partition-one-way"), deaf: Members, to: Members }),
  /** One of the random nemesis's shapes, drawn from the run's seed. */
  Type.Object({
    at: At,
    do: Type.Literal("partition-shape"),
    shape: Type.Union([Type.Literal("random-halves"), Type.Literal("majorities-ring"), Type.Literal("bridge")]),
  }),
  Type.Object({ at: At, do: Type.Literal("links"), members: Members, toxic: Toxic }),
  /**
   * A toxic on the links between the lab's clients and these members (both ways);
   * `lock-holder` is the member whose client holds the lock workload's lock when the step runs.
   */
  Type.Object({
    at: At,
    do: Type.Literal("client-links"),
    members: Type.Array(Type.Union([Role, Type.Literal("lock-holder")]), { minItems: 1 }),
    toxic: Toxic,
  }),
  Type.Object({ at: At, do: Type.Literal("heal") }),
  /**
   * One incremental reconfig: `remove` leave the configuration, `add` join it (or come back)
   * as voters, `observe` join it (or stay) as observers. A scenario with one runs its members
   * with named peers and the lab's reconfig settings (processes and containers drivers).
   */
  Type.Object({ at: At, do: Type.Literal("reconfig"), remove: Type.Optional(Members), add: Type.Optional(Members), observe: Type.Optional(Members) }),
  Type.Object({ at: At, do: Type.Literal("writes"), enabled: Type.Boolean() }),
  Type.Object({
    at: At,
    do: Type.Union([
      Type.Literal("kill"),
      Type.Literal("start"),
      Type.Literal("pause"),
      Type.Literal("resume"),
      Type.Literal("fill-disk"),
      Type.Literal("free-disk"),
    ]),
    members: Members,
  }),
]);

const Expectation = Type.Object({
  /** How the scenario's clients read on this target. */
  reads: Type.Union([Type.Literal("plain"), Type.Literal("sync"), Type.Literal("linearizable")]),
  verdict: Type.Union([Type.Literal("valid"), Type.Literal("invalid")]),
  /** Why this is the expected outcome, for the scenario table. */
  why: Type.String({ minLength: 1 }),
});

/** A named split-brain scenario: readable, editable JSON in lab/scenarios/. */
export const ScenarioSchema = Type.Object({
  name: Type.String({ pattern: "^[a-z0-9-]+$" }),
  summary: Type.String({ minLength: 1 }),
  /** Issues in ZooKeeper's tracker (or elsewhere) this scenario reproduces. */
  references: Type.Array(Type.String()),
  nodes: Type.Integer({ minimum: 1, maximum: 9 }),
  workload: Type.Union(WORKLOADS.map((w) => Type.Literal(w))),
  /** Judge every read as part of the register, whatever the read mode (a stale read is then a violation). */
  judgeReadsLinearizably: Type.Optional(Type.Boolean()),
  keys: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Clients of these members only read (members that must not be left holding a write). */
  readOnlyClientsOn: Type.Optional(Type.Array(Role)),
  clients: Type.Optional(Type.Integer({ minimum: 1 })),
  rate: Type.Optional(Type.Integer({ minimum: 1 })),
  timeMs: Type.Integer({ minimum: 1000 }),
  sessionTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  opTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
  /** Extra zoo.cfg keys for every member. */
  config: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Each member's data on a disk of its own of this many MiB (needed by fill-disk). */
  diskMb: Type.Optional(Type.Integer({ minimum: 8 })),
  steps: Type.Array(Step),
  expect: Type.Object({ zkts: Expectation, zookeeper: Expectation }),
  /** zkts's unsafe modes this scenario catches: run with `--unsafe MODE`, its verdict is invalid. */
  catches: Type.Optional(Type.Array(Type.Union(UNSAFE_MODES.map((m) => Type.Literal(m))))),
});

export type Scenario = Static<typeof ScenarioSchema>;
export type ScenarioStep = Static<typeof Step>;
export type RoleName = string;
