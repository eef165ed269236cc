import type { ToxicKind } from "./types.js";
import { emit } from "./types.js";

/**
 * Drops every byte. With `timeout` > 0 the link closes that many ms after the toxic starts;
 * with 0 it never closes by itself: a silent black hole, the lab's partition. Removing the
 * toxic closes the links it held, as upstream's does, so a healed partition shows up to
 * both ends as a broken connection rather than as a burst of stale bytes.
 *
 * Upstream passes a close through (the other end sees the FIN at once). `hold_close` = 1, an
 * attribute of this server only (upstream ignores attributes it does not know), holds the
 * close back until the toxic is removed, as a real partition holds back the FIN: a peer that
 * gave up on a partitioned member must not tell it so across the partition.
 */
export const timeout: ToxicKind = {
  attributeNames: ["timeout", "hold_close"],
  create(attributes) {
    const timeoutMs = attributes.timeout ?? 0;
    const holdClose = (attributes.hold_close ?? 0) !== 0;
    return {
      closeAfterMs: timeoutMs > 0 ? timeoutMs : undefined,
      closesWhenRemoved: true,
      plan(item) {
        if (item.kind === "end") return holdClose ? [] : [emit(item)];
        return [{ kind: "drop", bytes: item.data.length }];
      },
    };
  },
};
