import type { ToxicKind } from "./types.js";
import { emit, waitUntil } from "./types.js";

/** Data passes at once; the close waits `delay` ms. */
export const slowClose: ToxicKind = {
  attributeNames: ["delay"],
  create(attributes) {
    const delayMs = attributes.delay ?? 0;
    return {
      plan(item, { nowMs }) {
        return item.kind === "end" ? [waitUntil(nowMs + delayMs), emit(item)] : [emit(item)];
      },
    };
  },
};
