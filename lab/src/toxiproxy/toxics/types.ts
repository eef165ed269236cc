import type { SimRandom } from "../../sim/random.js";

/**
 * What travels down one direction of a proxied connection. `stampMs` is when the bytes left
 * the previous toxic (or were read from the socket): latency counts from it, so chunks that
 * waited in a queue are not delayed twice. An `end` closes the destination when it reaches
 * it; with `reset` it resets both sockets instead.
 */
export type LinkItem = { readonly kind: "data"; readonly data: Buffer; readonly stampMs: number } | { readonly kind: "end"; readonly reset: boolean };

/** One step of what a toxic does with an item; a stage performs them in order. */
export type ToxicAction =
  | { readonly kind: "emit"; readonly item: LinkItem }
  | { readonly kind: "drop"; readonly bytes: number }
  | { readonly kind: "waitUntil"; readonly atMs: number };

export interface PlanContext {
  readonly nowMs: number;
  /** Data bytes this toxic has passed on over this link so far (limit_data counts them). */
  readonly bytesEmitted: number;
}

/** One toxic's behaviour on one link, built fresh when the toxic is added or updated. */
export interface ToxicBehaviour {
  /** The actions for the item at the head of the stage's queue; the next item waits for them. */
  plan(item: LinkItem, context: PlanContext): ToxicAction[];
  /** The stage closes its link on its own this long after it starts (the timeout toxic). */
  readonly closeAfterMs?: number;
  /** Removing the toxic closes the links it was acting on (the timeout toxic, as upstream). */
  readonly closesWhenRemoved?: boolean;
}

export type ToxicAttributes = Readonly<Record<string, number>>;

export interface ToxicKind {
  /** Every attribute, in the order the API shows them; each defaults to 0, as upstream. */
  readonly attributeNames: readonly string[];
  create(attributes: ToxicAttributes, random: SimRandom): ToxicBehaviour;
}

export const emit = (item: LinkItem): ToxicAction => ({ kind: "emit", item });
export const waitUntil = (atMs: number): ToxicAction => ({ kind: "waitUntil", atMs });
export const END: LinkItem = { kind: "end", reset: false };
