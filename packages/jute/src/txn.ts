import { OpCode } from "./constants.js";
import { JuteError } from "./errors.js";
import { JuteReader } from "./reader.js";
import {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
  TxnDigest,
  TxnHeader,
} from "./records.js";
import { JuteWriter } from "./writer.js";

/**
 * A transaction as the state machine applies it and the log stores it: a TxnHeader whose type
 * selects the body record. multi bodies are decoded recursively into their sub-transactions.
 */
export type TxnBody =
  | { type: typeof OpCode.create | typeof OpCode.create2; txn: CreateTxn }
  | { type: typeof OpCode.createContainer; txn: CreateContainerTxn }
  | { type: typeof OpCode.createTTL; txn: CreateTTLTxn }
  | { type: typeof OpCode.delete | typeof OpCode.deleteContainer; txn: DeleteTxn }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; txn: SetDataTxn }
  | { type: typeof OpCode.setACL; txn: SetACLTxn }
  | { type: typeof OpCode.check; txn: CheckVersionTxn }
  | { type: typeof OpCode.createSession; txn: CreateSessionTxn }
  | { type: typeof OpCode.closeSession; txn: CloseSessionTxn | null }
  | { type: typeof OpCode.error; txn: ErrorTxn }
  | { type: typeof OpCode.multi; txns: TxnBody[] };

export interface TxnEntry {
  header: TxnHeader;
  body: TxnBody;
  digest: TxnDigest | null;
}

export function readTxnBody(type: number, reader: JuteReader): TxnBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
      return { type, txn: CreateTxn.read(reader) };
    case OpCode.createContainer:
      return { type, txn: CreateContainerTxn.read(reader) };
    case OpCode.createTTL:
      return { type, txn: CreateTTLTxn.read(reader) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, txn: DeleteTxn.read(reader) };
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, txn: SetDataTxn.read(reader) };
    case OpCode.setACL:
      return { type, txn: SetACLTxn.read(reader) };
    case OpCode.check:
      return { type, txn: CheckVersionTxn.read(reader) };
    case OpCode.createSession:
      return { type, txn: CreateSessionTxn.read(reader) };
    case OpCode.closeSession:
      // Older servers wrote closeSession with no body.
      return { type, txn: reader.remaining > 0 ? CloseSessionTxn.read(reader) : null };
    case OpCode.error:
      return { type, txn: ErrorTxn.read(reader) };
    case OpCode.multi: {
      const multi = MultiTxn.read(reader);
      const txns = multi.txns.map((sub) => {
        const data = sub.data ?? Buffer.alloc(0);
        const subReader = new JuteReader(data, 0, data.length, reader.maxBuffer, reader.lendsViews);
        return readTxnBody(sub.type, subReader);
      });
      return { type, txns };
    }
    default:
      throw new JuteError(`unknown txn type ${type}`);
  }
}

export function writeTxnBody(writer: JuteWriter, body: TxnBody): void {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      return CreateTxn.write(writer, body.txn);
    case OpCode.createContainer:
      return CreateContainerTxn.write(writer, body.txn);
    case OpCode.createTTL:
      return CreateTTLTxn.write(writer, body.txn);
    case OpCode.delete:
    case OpCode.deleteContainer:
      return DeleteTxn.write(writer, body.txn);
    case OpCode.setData:
    case OpCode.reconfig:
      return SetDataTxn.write(writer, body.txn);
    case OpCode.setACL:
      return SetACLTxn.write(writer, body.txn);
    case OpCode.check:
      return CheckVersionTxn.write(writer, body.txn);
    case OpCode.createSession:
      return CreateSessionTxn.write(writer, body.txn);
    case OpCode.closeSession:
      if (body.txn !== null) CloseSessionTxn.write(writer, body.txn);
      return;
    case OpCode.error:
      return ErrorTxn.write(writer, body.txn);
    case OpCode.multi: {
      const sub = new JuteWriter(256);
      const txns = body.txns.map((t) => {
        sub.reset();
        writeTxnBody(sub, t);
        return { type: t.type, data: sub.toBuffer() };
      });
      return MultiTxn.write(writer, { txns });
    }
  }
}

/**
 * Reads TxnHeader + body + optional TxnDigest, the bytes a log entry's checksum covers. With
 * `lendsViews`, values are views of `payload` (see JuteReader).
 */
export function readTxnEntry(payload: Buffer, maxBuffer?: number, lendsViews = false): TxnEntry {
  const reader = new JuteReader(payload, 0, payload.length, maxBuffer, lendsViews);
  const header = TxnHeader.read(reader);
  const body = readTxnBody(header.type, reader);
  const digest = reader.remaining > 0 ? TxnDigest.read(reader) : null;
  return { header, body, digest };
}

export function writeTxnEntry(writer: JuteWriter, entry: TxnEntry): void {
  TxnHeader.write(writer, entry.header);
  writeTxnBody(writer, entry.body);
  if (entry.digest !== null) TxnDigest.write(writer, entry.digest);
}
