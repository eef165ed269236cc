import type { ToxicAction, ToxicKind } from "./types.js";
import { END, emit } from "./types.js";

/** Passes `bytes` bytes (counted over the toxic's life on the link, across updates), then closes. */
export const limitData: ToxicKind = {
  attributeNames: ["bytes"],
  create(attributes) {
    const limitBytes = attributes.bytes ?? 0;
    return {
      plan(item, { bytesEmitted }) {
        if (item.kind === "end") return [emit(item)];
        const allowed = Math.max(0, Math.min(item.data.length, limitBytes - bytesEmitted));
        const actions: ToxicAction[] = [];
        if (allowed > 0) actions.push(emit({ ...item, data: item.data.subarray(0, allowed) }));
        if (allowed < item.data.length) actions.push({ kind: "drop", bytes: item.data.length - allowed });
        if (bytesEmitted + allowed >= limitBytes) actions.push(emit(END));
        return actions;
      },
    };
  },
};
