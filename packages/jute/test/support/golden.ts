import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  CheckWatchesRequest,
  ConnectRequest,
  ConnectResponse,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  ExistsRequest,
  ExistsResponse,
  GetACLRequest,
  GetACLResponse,
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  GetSASLRequest,
  JuteReader,
  JuteWriter,
  OpCode,
  ReconfigRequest,
  RemoveWatchesRequest,
  ReplyHeader,
  RequestHeader,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  SetSASLResponse,
  SetWatches,
  SetWatches2,
  SyncRequest,
  SyncResponse,
  WatcherEvent,
  WhoAmIResponse,
  Xid,
  readConnectRequest,
  readConnectResponse,
  readMultiRequest,
  readMultiResponse,
  writeConnectRequest,
  writeConnectResponse,
  writeMultiRequest,
  writeMultiResponse,
  type RecordCodec,
} from "../../src/index.js";

/** One captured frame as record-golden.mjs writes it. */
export interface GoldenFrame {
  dir: "c2s" | "s2c";
  kind?: "connect" | "connectResponse";
  xid?: number;
  opcode?: number | null;
  op?: string;
  err?: number;
  hex: string;
}

export interface GoldenFile {
  description: string;
  recordedWith: string;
  connections: { dropped: boolean; frames: GoldenFrame[] }[];
}

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "../golden");

export function loadGolden(name: string): GoldenFile {
  return JSON.parse(readFileSync(join(goldenDir, `${name}.json`), "utf8")) as GoldenFile;
}

/** How a body is coded: a record, the multi codec, or nothing at all. */
type Body = RecordCodec<any> | "multi" | "none";

/** Request body by opcode (FinalRequestProcessor / PrepRequestProcessor of ZooKeeper). */
const requestBodies: Record<number, Body> = {
  [OpCode.create]: CreateRequest,
  [OpCode.create2]: CreateRequest,
  [OpCode.createContainer]: CreateRequest,
  [OpCode.createTTL]: CreateTTLRequest,
  [OpCode.delete]: DeleteRequest,
  [OpCode.exists]: ExistsRequest,
  [OpCode.getData]: GetDataRequest,
  [OpCode.setData]: SetDataRequest,
  [OpCode.getACL]: GetACLRequest,
  [OpCode.setACL]: SetACLRequest,
  [OpCode.getChildren]: GetChildrenRequest,
  [OpCode.getChildren2]: GetChildren2Request,
  [OpCode.sync]: SyncRequest,
  [OpCode.ping]: "none",
  [OpCode.check]: CheckVersionRequest,
  [OpCode.multi]: "multi",
  [OpCode.multiRead]: "multi",
  [OpCode.reconfig]: ReconfigRequest,
  [OpCode.checkWatches]: CheckWatchesRequest,
  [OpCode.removeWatches]: RemoveWatchesRequest,
  [OpCode.auth]: AuthPacket,
  [OpCode.setWatches]: SetWatches,
  [OpCode.setWatches2]: SetWatches2,
  [OpCode.sasl]: GetSASLRequest,
  [OpCode.getEphemerals]: GetEphemeralsRequest,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberRequest,
  [OpCode.addWatch]: AddWatchRequest,
  [OpCode.whoAmI]: "none",
  [OpCode.closeSession]: "none",
};

/** Response body by the request's opcode, when ReplyHeader.err is 0. */
const responseBodies: Record<number, Body> = {
  [OpCode.create]: CreateResponse,
  [OpCode.create2]: Create2Response,
  [OpCode.createContainer]: Create2Response,
  [OpCode.createTTL]: Create2Response,
  [OpCode.delete]: "none",
  [OpCode.exists]: ExistsResponse,
  [OpCode.getData]: GetDataResponse,
  [OpCode.setData]: SetDataResponse,
  [OpCode.getACL]: GetACLResponse,
  [OpCode.setACL]: SetACLResponse,
  [OpCode.getChildren]: GetChildrenResponse,
  [OpCode.getChildren2]: GetChildren2Response,
  [OpCode.sync]: SyncResponse,
  [OpCode.ping]: "none",
  [OpCode.check]: SetDataResponse,
  [OpCode.multi]: "multi",
  [OpCode.multiRead]: "multi",
  [OpCode.reconfig]: GetDataResponse,
  [OpCode.checkWatches]: "none",
  [OpCode.removeWatches]: "none",
  [OpCode.auth]: "none",
  [OpCode.setWatches]: "none",
  [OpCode.setWatches2]: "none",
  [OpCode.sasl]: SetSASLResponse,
  [OpCode.getEphemerals]: GetEphemeralsResponse,
  [OpCode.getAllChildrenNumber]: GetAllChildrenNumberResponse,
  [OpCode.addWatch]: ErrorResponse,
  [OpCode.whoAmI]: WhoAmIResponse,
  [OpCode.closeSession]: "none",
};

/** A frame decoded with the codec, and the bytes the codec writes back for it. */
export interface Decoded {
  frame: GoldenFrame;
  /** The opcode this test resolved on its own (requests: header type; replies: by xid). */
  opcode: number | null;
  header: { xid: number; type?: number; zxid?: bigint; err?: number } | null;
  body: unknown;
  reencoded: Buffer;
  payload: Buffer;
}

/**
 * Decodes one connection's frames in capture order and re-encodes each one. Reply opcodes are
 * resolved from the requests seen so far, independently of the opcode the recorder stored.
 */
export function decodeConnection(frames: GoldenFrame[]): Decoded[] {
  const xidToOp = new Map<number, number>();
  return frames.map((frame) => {
    const payload = Buffer.from(frame.hex, "hex");
    const w = new JuteWriter(64);
    if (frame.kind === "connect") {
      const body = readConnectRequest(payload);
      if (body.readOnlyByteSent) writeConnectRequest(w, body, body.readOnly);
      else ConnectRequest.write(w, body);
      return { frame, opcode: null, header: null, body, reencoded: w.toBuffer(), payload };
    }
    if (frame.kind === "connectResponse") {
      const body = readConnectResponse(payload);
      const probe = new JuteReader(payload);
      ConnectResponse.read(probe);
      writeConnectResponse(w, body, probe.remaining === 1);
      return { frame, opcode: null, header: null, body, reencoded: w.toBuffer(), payload };
    }
    const reader = new JuteReader(payload);
    if (frame.dir === "c2s") {
      const header = RequestHeader.read(reader);
      xidToOp.set(header.xid, header.type);
      RequestHeader.write(w, header);
      const body = readBody(requestBodies, header.type, reader, w, "request");
      return { frame, opcode: header.type, header, body, reencoded: w.toBuffer(), payload };
    }
    const header = ReplyHeader.read(reader);
    ReplyHeader.write(w, header);
    const opcode = header.xid === Xid.notification ? OpCode.notification : (xidToOp.get(header.xid) ?? null);
    let body: unknown = null;
    if (header.xid === Xid.notification) {
      body = WatcherEvent.read(reader);
      WatcherEvent.write(w, body as WatcherEvent);
    } else if (header.err === 0) {
      if (opcode === null) throw new Error(`reply xid ${header.xid} matches no request`);
      body = readBody(responseBodies, opcode, reader, w, "response");
    } else if (reader.remaining > 0 && (opcode === OpCode.multi || opcode === OpCode.multiRead)) {
      // A multi or multiRead that fails on a null path carries the results gathered before it.
      body = readBody(responseBodies, opcode, reader, w, "response");
    }
    if (reader.remaining !== 0) throw new Error(`${reader.remaining} bytes left after decoding reply xid ${header.xid}`);
    return { frame, opcode, header, body, reencoded: w.toBuffer(), payload };
  });
}

function readBody(table: Record<number, Body>, opcode: number, reader: JuteReader, w: JuteWriter, what: string): unknown {
  const body = table[opcode];
  if (body === undefined) throw new Error(`no ${what} record known for opcode ${opcode}`);
  let value: unknown = null;
  if (body === "multi") {
    if (what === "request") {
      const ops = readMultiRequest(reader);
      writeMultiRequest(w, ops);
      value = ops;
    } else {
      const results = readMultiResponse(reader);
      writeMultiResponse(w, results);
      value = results;
    }
  } else if (body !== "none") {
    value = body.read(reader);
    body.write(w, value);
  }
  if (reader.remaining !== 0) throw new Error(`${reader.remaining} bytes left after the ${what} body of opcode ${opcode}`);
  return value;
}
