import type { ToxicKind } from "./types.js";
import { emit, waitUntil } from "./types.js";

/** Each chunk leaves `latency` ms (± `jitter`, drawn per chunk) after it arrived, in order. */
export const latency: ToxicKind = {
  attributeNames: ["latency", "jitter"],
  create(attributes, random) {
    const latencyMs = attributes.latency ?? 0;
    const jitterMs = attributes.jitter ?? 0;
    const delayMs = (): number => (jitterMs > 0 ? latencyMs + random.below(jitterMs * 2) - jitterMs : latencyMs);
    return {
      plan(item, { nowMs }) {
        if (item.kind === "end") return [emit(item)];
        const leaveMs = Math.max(nowMs, item.stampMs + delayMs());
        return [waitUntil(leaveMs), emit({ ...item, stampMs: leaveMs })];
      },
    };
  },
};
