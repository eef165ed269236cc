import { OpCode } from "./constants.js";
import { JuteError } from "./errors.js";
import type { JuteReader } from "./reader.js";
import {
  CheckVersionRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  MultiHeader,
  SetDataRequest,
  SetDataResponse,
  type Stat,
} from "./records.js";
import type { JuteWriter } from "./writer.js";

/** One operation of a MultiOperationRecord (multi and multiRead). */
export type MultiOp =
  | { type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer; request: CreateRequest }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }
  | { type: typeof OpCode.getChildren; request: GetChildrenRequest }
  | { type: typeof OpCode.getData; request: GetDataRequest };

/** One result of a MultiResponse. */
export type MultiResult =
  | { type: typeof OpCode.create; path: string }
  | { type: typeof OpCode.create2; path: string; stat: Stat }
  | { type: typeof OpCode.delete }
  | { type: typeof OpCode.setData; stat: Stat }
  | { type: typeof OpCode.check }
  | { type: typeof OpCode.getChildren; children: string[] }
  | { type: typeof OpCode.getData; data: Buffer | null; stat: Stat }
  | { type: typeof OpCode.error; err: number };

const END = { type: -1, done: true, err: -1 };

export function readMultiRequest(reader: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const header = MultiHeader.read(reader);
    if (header.done) return ops;
    ops.push(readMultiOp(header.type, reader));
  }
}

/**
 * Reads the request record of one op by its opcode: a multi's ops, and the single writes
 * that carry the same records (the server's write reader calls this for those).
 */
export function readMultiOp(type: number, reader: JuteReader): MultiOp {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, request: CreateRequest.read(reader) };
    case OpCode.createTTL:
      return { type, request: CreateTTLRequest.read(reader) };
    case OpCode.delete:
      return { type, request: DeleteRequest.read(reader) };
    case OpCode.setData:
      return { type, request: SetDataRequest.read(reader) };
    case OpCode.check:
      return { type, request: CheckVersionRequest.read(reader) };
    case OpCode.getChildren:
      return { type, request: GetChildrenRequest.read(reader) };
    case OpCode.getData:
      return { type, request: GetDataRequest.read(reader) };
    default:
      throw new JuteError(`invalid multi op type ${type}`);
  }
}

export function writeMultiRequest(writer: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    MultiHeader.write(writer, { type: op.type, done: false, err: -1 });
    writeMultiOpBody(writer, op);
  }
  MultiHeader.write(writer, END);
}

function writeMultiOpBody(writer: JuteWriter, op: MultiOp): void {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return CreateRequest.write(writer, op.request);
    case OpCode.createTTL:
      return CreateTTLRequest.write(writer, op.request);
    case OpCode.delete:
      return DeleteRequest.write(writer, op.request);
    case OpCode.setData:
      return SetDataRequest.write(writer, op.request);
    case OpCode.check:
      return CheckVersionRequest.write(writer, op.request);
    case OpCode.getChildren:
      return GetChildrenRequest.write(writer, op.request);
    case OpCode.getData:
      return GetDataRequest.write(writer, op.request);
  }
}

export function writeMultiResponse(writer: JuteWriter, results: readonly MultiResult[]): void {
  for (const result of results) {
    const err = result.type === OpCode.error ? result.err : 0;
    MultiHeader.write(writer, { type: result.type, done: false, err });
    switch (result.type) {
      case OpCode.create:
        CreateResponse.write(writer, result);
        break;
      case OpCode.create2:
        Create2Response.write(writer, result);
        break;
      case OpCode.setData:
        SetDataResponse.write(writer, result);
        break;
      case OpCode.getChildren:
        GetChildrenResponse.write(writer, result);
        break;
      case OpCode.getData:
        GetDataResponse.write(writer, result);
        break;
      case OpCode.error:
        ErrorResponse.write(writer, result);
        break;
      case OpCode.delete:
      case OpCode.check:
        break;
    }
  }
  MultiHeader.write(writer, END);
}

export function readMultiResponse(reader: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const header = MultiHeader.read(reader);
    if (header.done) return results;
    results.push(readMultiResult(header.type, reader));
  }
}

function readMultiResult(type: number, reader: JuteReader): MultiResult {
  switch (type) {
    case OpCode.create:
      return { type, ...CreateResponse.read(reader) };
    case OpCode.create2:
      return { type, ...Create2Response.read(reader) };
    case OpCode.delete:
    case OpCode.check:
      return { type };
    case OpCode.setData:
      return { type, ...SetDataResponse.read(reader) };
    case OpCode.getChildren:
      return { type, ...GetChildrenResponse.read(reader) };
    case OpCode.getData:
      return { type, ...GetDataResponse.read(reader) };
    case OpCode.error:
      return { type, ...ErrorResponse.read(reader) };
    default:
      throw new JuteError(`invalid multi result type ${type}`);
  }
}
