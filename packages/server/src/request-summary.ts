import { JuteReader, OpCode, opCodeName } from "@zkts/jute";

/** What a slow-request log line says about the request: its op and, when it has one, its path. */
export interface RequestSummary {
  op: string;
  path: string | null;
}

/** Requests whose record starts with the path they act on. */
const OPS_WITH_PATH: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.delete,
  OpCode.exists,
  OpCode.getData,
  OpCode.setData,
  OpCode.getACL,
  OpCode.setACL,
  OpCode.getChildren,
  OpCode.sync,
  OpCode.getChildren2,
  OpCode.check,
  OpCode.create2,
  OpCode.checkWatches,
  OpCode.removeWatches,
  OpCode.createContainer,
  OpCode.deleteContainer,
  OpCode.createTTL,
  OpCode.getEphemerals,
  OpCode.getAllChildrenNumber,
  OpCode.addWatch,
]);

/**
 * Reads the op and path of a request frame (RequestHeader, then the record) without touching
 * the frame; a frame too short or malformed to say yields what could be read.
 */
export function summarizeRequest(payload: Buffer, maxBuffer: number): RequestSummary {
  const reader = new JuteReader(payload, 0, payload.length, maxBuffer);
  let type: number;
  try {
    reader.readInt();
    type = reader.readInt();
  } catch {
    return { op: "unreadable", path: null };
  }
  const op = opCodeName.get(type as never) ?? `op ${type}`;
  if (!OPS_WITH_PATH.has(type)) return { op, path: null };
  try {
    return { op, path: reader.readUstring() };
  } catch {
    return { op, path: null };
  }
}
