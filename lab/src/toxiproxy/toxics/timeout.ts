import type { ToxicKind } from "./types.js";
import { emit } from "./types.js";

/**
 * Drops every byte. With `timeout` > 0 the link closes that many ms after the toxic starts;
 * with 0 it never closes by itself: a silent black hole, the lab's partition. Removing the
 * toxic closes the links it held, as upstream's does, so a healed partition shows up to
 * both ends as a broken connection rather than as a burst of stale bytes.
 */
export const timeout: ToxicKind = {
  attributeNames: ["timeout"],
  create(attributes) {
    const timeoutMs = attributes.timeout ?? 0;
    return {
      closeAfterMs: timeoutMs > 0 ? timeoutMs : undefined,
      closesWhenRemoved: true,
      plan(item) {
        return item.kind === "end" ? [emit(item)] : [{ kind: "drop", bytes: item.data.length }];
      },
    };
  },
};
