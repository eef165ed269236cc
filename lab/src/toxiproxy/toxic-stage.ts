import type { SimRandom } from "../sim/random.js";
import type { ToxicSpec } from "./toxic-spec.js";
import { toxicKind } from "./toxics/registry.js";
import type { LinkItem, ToxicAction, ToxicBehaviour } from "./toxics/types.js";

/** Where a stage sends what it lets through, and where it reports bytes it dropped. */
export interface StageOutput {
  forward(from: ToxicStage, item: LinkItem): void;
  discard(bytes: number): void;
}

const PASS_THROUGH: ToxicBehaviour = { plan: (item) => [{ kind: "emit", item }] };

/**
 * One toxic on one link. Items queue here in arrival order; the item at the head is handed to
 * the toxic, whose actions (emit, drop, wait) run to the end before the next item starts, so
 * a direction's bytes never overtake each other. Whether the toxic acts at all on this link is
 * rolled once from `toxicity` when it starts (and again when it is updated, as upstream).
 */
export class ToxicStage {
  private readonly queue: LinkItem[] = [];
  private plan: ToxicAction[] = [];
  private behaviour: ToxicBehaviour = PASS_THROUGH;
  private acting = false;
  private waitTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /** Set once the stage has passed on an end: anything after it is dropped. */
  private closed = false;
  private disposed = false;
  private bytesEmitted = 0;

  constructor(
    private spec: ToxicSpec,
    private readonly output: StageOutput,
    private readonly random: SimRandom,
    private readonly nowMs: () => number,
  ) {
    this.start();
  }

  get name(): string {
    return this.spec.name;
  }

  receive(item: LinkItem): void {
    if (this.closed || this.disposed) {
      this.drop(item);
      return;
    }
    this.queue.push(item);
    this.pump();
  }

  /** A new version of the toxic: what it holds of the item in progress goes on now; the queue waits for the new one. */
  update(spec: ToxicSpec): void {
    this.stopTimers();
    this.flushPlan();
    this.spec = spec;
    this.start();
    this.pump();
  }

  /**
   * The toxic is leaving the link: everything it holds, in order, for its successor, followed
   * by an end if removing this toxic closes the link.
   */
  remove(): LinkItem[] {
    this.stopTimers();
    this.disposed = true;
    const handOver: LinkItem[] = [];
    for (const action of this.plan) {
      if (action.kind === "emit") handOver.push(action.item);
      else if (action.kind === "drop") this.output.discard(action.bytes);
    }
    this.plan = [];
    handOver.push(...this.queue.splice(0));
    if (this.acting && this.behaviour.closesWhenRemoved === true && !this.closed) {
      for (const item of handOver) this.drop(item);
      return [{ kind: "end", reset: false }];
    }
    return handOver;
  }

  /** The connection is gone: stop every timer; nothing more is passed on. */
  dispose(): void {
    this.stopTimers();
    this.disposed = true;
    this.plan = [];
    this.queue.length = 0;
  }

  private start(): void {
    this.acting = this.random.chance(this.spec.toxicity);
    const kind = toxicKind(this.spec.type);
    if (kind === undefined) throw new Error(`unknown toxic type ${this.spec.type}`);
    this.behaviour = this.acting ? kind.create(this.spec.attributes, this.random) : PASS_THROUGH;
    const closeAfterMs = this.behaviour.closeAfterMs;
    if (closeAfterMs !== undefined) this.closeTimer = setTimeout(() => this.closeNow(), closeAfterMs);
  }

  private pump(): void {
    while (this.waitTimer === undefined && !this.disposed && !this.closed) {
      const action = this.plan.shift();
      if (action === undefined) {
        const item = this.queue.shift();
        if (item === undefined) return;
        this.plan = this.behaviour.plan(item, { nowMs: this.nowMs(), bytesEmitted: this.bytesEmitted });
        continue;
      }
      if (action.kind === "emit") this.emit(action.item);
      else if (action.kind === "drop") this.output.discard(action.bytes);
      else {
        const waitMs = action.atMs - this.nowMs();
        if (waitMs > 0) {
          this.waitTimer = setTimeout(() => {
            this.waitTimer = undefined;
            this.pump();
          }, waitMs);
        }
      }
    }
  }

  private emit(item: LinkItem): void {
    if (item.kind === "data") this.bytesEmitted += item.data.length;
    else this.closeQuietly();
    this.output.forward(this, item);
  }

  /** After an end, what is still queued or planned can never reach the destination. */
  private closeQuietly(): void {
    this.closed = true;
    this.stopTimers();
    for (const action of this.plan) {
      if (action.kind === "emit") this.drop(action.item);
      else if (action.kind === "drop") this.output.discard(action.bytes);
    }
    this.plan = [];
    for (const item of this.queue.splice(0)) this.drop(item);
  }

  private closeNow(): void {
    this.closeTimer = undefined;
    if (this.closed || this.disposed) return;
    this.emit({ kind: "end", reset: false });
  }

  private flushPlan(): void {
    const plan = this.plan;
    this.plan = [];
    for (const action of plan) {
      if (this.disposed) return;
      if (action.kind === "emit") {
        if (this.closed) this.drop(action.item);
        else this.emit(action.item);
      } else if (action.kind === "drop") this.output.discard(action.bytes);
    }
  }

  private drop(item: LinkItem): void {
    if (item.kind === "data") this.output.discard(item.data.length);
  }

  private stopTimers(): void {
    clearTimeout(this.waitTimer);
    clearTimeout(this.closeTimer);
    this.waitTimer = undefined;
    this.closeTimer = undefined;
  }
}
