import type { ToxicKind } from "./types.js";
import { emit, waitUntil } from "./types.js";

/**
 * On the first item that reaches it, waits `timeout` ms and then resets the connection (RST to
 * both ends). Like upstream, the bytes that arrive meanwhile are not passed on.
 */
export const resetPeer: ToxicKind = {
  attributeNames: ["timeout"],
  create(attributes) {
    const timeoutMs = attributes.timeout ?? 0;
    return {
      plan(item, { nowMs }) {
        const dropped = item.kind === "data" ? item.data.length : 0;
        return [{ kind: "drop", bytes: dropped }, waitUntil(nowMs + timeoutMs), emit({ kind: "end", reset: true })];
      },
    };
  },
};
