import { OpCode, opCodeName, type ACL, type TxnBody, type TxnEntry } from "@zkts/jute";
import { aclListString, dataAsText, hexLong, javaShortDateLongTime, JuteCsv } from "./java-text.js";
import { dataJson } from "./output.js";

/** Request.op2String's names: the op codes' names, except the one it spells differently. */
export function txnTypeName(type: number): string {
  if (type === OpCode.createTTL) return "createTtl";
  return opCodeName.get(type) ?? `unknown ${type}`;
}

function aclVector(csv: JuteCsv, acls: readonly ACL[]): JuteCsv {
  csv.startVector();
  for (const acl of acls) csv.acl(acl);
  return csv.endVector();
}

/**
 * A txn body as TxnLogToolkit prints it: create and setData with their data as text, every
 * other record in jute's CSV form. For multi, TxnLogToolkit prints each sub-txn's raw bytes as
 * text; here each sub-txn is decoded and printed the same way as a top-level one.
 */
export function txnBodyText(body: TxnBody): string {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2: {
      const t = body.txn;
      return `${t.path},${dataAsText(t.data)},${aclListString(t.acl)},${t.ephemeral},${t.parentCVersion}`;
    }
    case OpCode.setData:
    case OpCode.reconfig:
      return `${body.txn.path},${dataAsText(body.txn.data)},${body.txn.version}`;
    case OpCode.createContainer: {
      const t = body.txn;
      return aclVector(new JuteCsv().string(t.path).buffer(t.data), t.acl).int(t.parentCVersion).toRecordString();
    }
    case OpCode.createTTL: {
      const t = body.txn;
      return aclVector(new JuteCsv().string(t.path).buffer(t.data), t.acl).int(t.parentCVersion).int(t.ttl).toRecordString();
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return new JuteCsv().string(body.txn.path).toRecordString();
    case OpCode.setACL:
      return aclVector(new JuteCsv().string(body.txn.path), body.txn.acl).int(body.txn.version).toRecordString();
    case OpCode.check:
      return new JuteCsv().string(body.txn.path).int(body.txn.version).toRecordString();
    case OpCode.createSession:
      return new JuteCsv().int(body.txn.timeOut).toRecordString();
    case OpCode.closeSession: {
      if (body.txn === null) return "";
      const csv = new JuteCsv().startVector();
      for (const path of body.txn.paths2Delete) csv.string(path);
      return csv.endVector().toRecordString();
    }
    case OpCode.error:
      return new JuteCsv().int(body.txn.err).toRecordString();
    case OpCode.multi:
      return body.txns.map((sub) => `${txnTypeName(sub.type)}:${txnBodyText(sub).replace(/\n/g, "")}`).join(";");
  }
}

/** One log entry's line (or lines, as ACL lists carry newlines), ending with exactly one newline. */
export function txnEntryText(entry: TxnEntry): string {
  const h = entry.header;
  const line =
    `${javaShortDateLongTime(Number(h.time))} session ${hexLong(h.clientId)} cxid ${hexLong(h.cxid)} ` +
    `zxid ${hexLong(h.zxid)} ${txnTypeName(h.type)} ${txnBodyText(entry.body)}`;
  return line.endsWith("\n") ? line : `${line}\n`;
}

/** An ACL list as JSON, each entry flattened to its perms, scheme and id. */
export function aclJson(acls: readonly ACL[]): unknown[] {
  return acls.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id }));
}

/** A txn body as JSON: its record's fields by name, data as text or base64, ACLs spelled out. */
export function txnBodyJson(body: TxnBody): Record<string, unknown> {
  const type = txnTypeName(body.type);
  if (body.type === OpCode.multi) return { type, txns: body.txns.map(txnBodyJson) };
  if (body.txn === null) return { type };
  const fields: Record<string, unknown> = { type };
  for (const [key, value] of Object.entries(body.txn)) {
    if (key === "data") fields.data = dataJson(value as Uint8Array | null);
    else if (key === "acl") fields.acl = aclJson(value as ACL[]);
    else fields[key] = value;
  }
  return fields;
}

export function txnEntryJson(entry: TxnEntry, offset: number): Record<string, unknown> {
  const h = entry.header;
  return {
    offset,
    session: hexLong(h.clientId),
    cxid: h.cxid,
    zxid: hexLong(h.zxid),
    time: Number(h.time),
    type: txnTypeName(h.type),
    txn: txnBodyJson(entry.body),
    digest: entry.digest === null ? null : { version: entry.digest.version, treeDigest: entry.digest.treeDigest },
  };
}
