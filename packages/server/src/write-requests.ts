import type { TxnResult, WriteRequest } from "@zkts/datatree";
import {
  Create2Response,
  CreateMode,
  CreateResponse,
  GetDataResponse,
  type JuteReader,
  type MultiOp,
  type MultiResult,
  OpCode,
  ReconfigRequest,
  SetACLRequest,
  SetACLResponse,
  SetDataResponse,
  type TxnBody,
  readMultiOp,
  readMultiRequest,
  writeMultiResponse,
} from "@zkts/jute";
import type { Reply } from "./connection.js";

/** Decodes a write request's record, or null for an opcode that is not a write. */
export function readWrite(type: number, reader: JuteReader): WriteRequest | null {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.setData:
    case OpCode.check:
      // A multi's ops carry these same records: one reader decodes both.
      return readMultiOp(type, reader) as WriteRequest;
    case OpCode.setACL:
      return { type, request: SetACLRequest.read(reader) };
    case OpCode.multi:
      return { type, ops: readMultiRequest(reader).map(createOpByMode) };
    case OpCode.reconfig:
      return { type, request: ReconfigRequest.read(reader) };
    default:
      return null;
  }
}

/**
 * Inside a multi, ZooKeeper rebuilds each create op from its flags, so the op type follows
 * the create mode: container flags make a createContainer, TTL flags a createTTL, anything
 * else a plain create (create2 included, whose result then carries no stat).
 */
function createOpByMode(op: MultiOp): MultiOp {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type: op.request.flags === CreateMode.CONTAINER ? OpCode.createContainer : OpCode.create, request: op.request };
    case OpCode.createTTL: {
      const flags = op.request.flags;
      if (flags === CreateMode.PERSISTENT_WITH_TTL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) return op;
      const { ttl: _ttl, ...request } = op.request;
      return { type: flags === CreateMode.CONTAINER ? OpCode.createContainer : OpCode.create, request };
    }
    default:
      return op;
  }
}

function toMultiResult(rc: TxnResult): MultiResult {
  switch (rc.type) {
    case OpCode.check:
      return { type: OpCode.check };
    case OpCode.create:
      return { type: OpCode.create, path: rc.path! };
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { type: OpCode.create2, path: rc.path!, stat: rc.stat! };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete };
    case OpCode.setData:
      return { type: OpCode.setData, stat: rc.stat! };
    default:
      return { type: OpCode.error, err: rc.err };
  }
}

/** The reply to a write, from its transaction and what applying it did (FinalRequestProcessor). */
export function replyForWrite(type: number, body: TxnBody, rc: TxnResult, zxid: bigint): Reply {
  if (body.type === OpCode.error) return { err: body.txn.err, zxid, body: null };
  if (rc.err !== 0 && type !== OpCode.multi) return { err: rc.err, zxid, body: null };
  switch (type) {
    case OpCode.create: {
      const path = rc.path!;
      return { err: 0, zxid, body: (w) => CreateResponse.write(w, { path }) };
    }
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer: {
      const path = rc.path!;
      const stat = rc.stat!;
      return { err: 0, zxid, body: (w) => Create2Response.write(w, { path, stat }) };
    }
    case OpCode.setData:
    case OpCode.check: {
      const stat = rc.stat;
      if (stat === null) return { err: 0, zxid, body: null };
      return { err: 0, zxid, body: (w) => SetDataResponse.write(w, { stat }) };
    }
    case OpCode.setACL: {
      const stat = rc.stat!;
      return { err: 0, zxid, body: (w) => SetACLResponse.write(w, { stat }) };
    }
    case OpCode.reconfig: {
      // ZooKeeper answers with its configuration's text; the proposing leader's is the txn's data.
      const data = body.type === OpCode.reconfig ? body.txn.data : null;
      const stat = rc.stat!;
      return { err: 0, zxid, body: (w) => GetDataResponse.write(w, { data, stat }) };
    }
    case OpCode.multi: {
      const results = (rc.multiResult ?? []).map(toMultiResult);
      return { err: 0, zxid, body: (w) => writeMultiResponse(w, results) };
    }
    default:
      return { err: 0, zxid, body: null };
  }
}
