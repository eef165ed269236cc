import { bandwidth } from "./bandwidth.js";
import { latency } from "./latency.js";
import { limitData } from "./limit-data.js";
import { resetPeer } from "./reset-peer.js";
import { slicer } from "./slicer.js";
import { slowClose } from "./slow-close.js";
import { timeout } from "./timeout.js";
import type { ToxicKind } from "./types.js";

/** The toxic types Toxiproxy 2.12 knows, by the name the API uses. */
export const TOXIC_KINDS: Readonly<Record<string, ToxicKind>> = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
};

export function toxicKind(type: string): ToxicKind | undefined {
  return Object.hasOwn(TOXIC_KINDS, type) ? TOXIC_KINDS[type] : undefined;
}
