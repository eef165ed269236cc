import type { Socket } from "node:net";
import type { SimRandom } from "../sim/random.js";
import type { ToxicSpec, ToxicStream } from "./toxic-spec.js";
import { type StageOutput, ToxicStage } from "./toxic-stage.js";
import type { LinkItem } from "./toxics/types.js";

/**
 * Bytes one direction may hold (read from its source, not yet taken by the destination's
 * kernel buffer) before it stops reading its source. A slowed or stalled link then pushes
 * back on the sender through TCP, as a slow network would, instead of growing without limit.
 */
export const LINK_BYTES_HELD_MAX = 1 << 20;

/**
 * One direction of a proxied connection: bytes read from `source` pass through the chain of
 * toxic stages, in the order the toxics were added, and are written to `destination`. Stages
 * can join (at the end) and leave while bytes flow; each stage looks up its successor when it
 * passes something on, so the chain in force is always the one consulted.
 */
export class Link implements StageOutput {
  private readonly stages: ToxicStage[] = [];
  private bytesHeld = 0;
  private sourcePaused = false;
  private sourceEnded = false;
  private destinationEnded = false;
  private disposed = false;

  constructor(
    readonly stream: ToxicStream,
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly random: SimRandom,
    private readonly nowMs: () => number,
    /** An end with reset reached the destination: the connection resets both its sockets. */
    private readonly onReset: () => void,
  ) {}

  start(toxics: readonly ToxicSpec[]): void {
    for (const spec of toxics) this.addToxic(spec);
    this.source.on("data", (data: Buffer) => {
      this.bytesHeld += data.length;
      this.deliver(0, { kind: "data", data, stampMs: this.nowMs() });
      this.applyBackpressure();
    });
    this.source.on("end", () => this.endOfSource());
    this.source.on("close", () => this.endOfSource());
    this.destination.on("drain", () => this.applyBackpressure());
    this.source.resume();
  }

  addToxic(spec: ToxicSpec): void {
    if (this.disposed) return;
    this.stages.push(new ToxicStage(spec, this, this.random, this.nowMs));
  }

  updateToxic(spec: ToxicSpec): void {
    this.stages.find((stage) => stage.name === spec.name)?.update(spec);
  }

  removeToxic(name: string): void {
    const index = this.stages.findIndex((stage) => stage.name === name);
    if (index < 0) return;
    const [stage] = this.stages.splice(index, 1) as [ToxicStage];
    for (const item of stage.remove()) this.deliver(index, item);
  }

  dispose(): void {
    this.disposed = true;
    for (const stage of this.stages) stage.dispose();
  }

  forward(from: ToxicStage, item: LinkItem): void {
    const index = this.stages.indexOf(from);
    if (index < 0) {
      this.discardItem(item);
      return;
    }
    this.deliver(index + 1, item);
  }

  discard(bytes: number): void {
    this.bytesHeld -= bytes;
    this.applyBackpressure();
  }

  private deliver(stageIndex: number, item: LinkItem): void {
    const stage = this.stages[stageIndex];
    if (stage !== undefined) stage.receive(item);
    else this.write(item);
  }

  private write(item: LinkItem): void {
    if (this.destinationEnded || this.disposed) {
      this.discardItem(item);
      return;
    }
    if (item.kind === "data") {
      this.bytesHeld -= item.data.length;
      if (!this.destination.destroyed) this.destination.write(item.data);
      this.applyBackpressure();
      return;
    }
    this.destinationEnded = true;
    if (item.reset) {
      this.onReset();
      return;
    }
    // As upstream closes its destination outright: whatever was written goes first, then
    // the socket is closed in both directions (the other direction sees it as its source ending).
    if (this.destination.destroyed) return;
    if (this.destination.writableEnded) this.destination.destroy();
    else this.destination.end(() => this.destination.destroy());
  }

  private endOfSource(): void {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.deliver(0, { kind: "end", reset: false });
  }

  private discardItem(item: LinkItem): void {
    if (item.kind === "data") this.discard(item.data.length);
  }

  private applyBackpressure(): void {
    if (this.sourceEnded) return;
    const held = this.bytesHeld + this.destination.writableLength;
    if (!this.sourcePaused && held > LINK_BYTES_HELD_MAX) {
      this.sourcePaused = true;
      this.source.pause();
    } else if (this.sourcePaused && held <= LINK_BYTES_HELD_MAX / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }
}
