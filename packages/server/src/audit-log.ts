import type { TxnResult, WriteRequest } from "@zkts/datatree";
import { type ACL, type Id, OpCode, type TxnBody, createModeName } from "@zkts/jute";
import { userInfo } from "node:os";
import type { Logger } from "./logger.js";

/**
 * ZooKeeper's audit log (audit.enable, ZKAuditProvider and AuditHelper in 3.8): one line per
 * audited event, its fields as `key=value` joined by tabs in a fixed order (session, user, ip,
 * operation, znode, znode_type, acl; absent fields left out) and `result=` last. zkts writes each
 * line through the server's logger as the message of a record marked `"logger":"audit"`, at
 * info, or at error for a failure, as ZooKeeper's Slf4jAuditLogger does.
 */
export interface AuditEvent {
  session?: string;
  user?: string | null;
  ip?: string;
  operation: string;
  znode?: string | null;
  znodeType?: string | null;
  acl?: string;
  result: "success" | "failure" | "invoked";
}

export function formatAuditEvent(e: AuditEvent): string {
  const fields: [string, string | null | undefined][] = [
    ["session", e.session],
    ["user", e.user],
    ["ip", e.ip],
    ["operation", e.operation],
    ["znode", e.znode],
    ["znode_type", e.znodeType],
    ["acl", e.acl],
    ["result", e.result],
  ];
  return fields
    .filter((f): f is [string, string] => f[1] !== null && f[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join("\t");
}

export class AuditLog {
  constructor(private readonly logger: Logger) {}

  write(event: AuditEvent): void {
    this.logger.log(event.result === "failure" ? "error" : "info", formatAuditEvent(event), { logger: "audit" });
  }
}

/** The user a connection acts as: its ids' user names (AuthUtil.getUsers), added ids before its address. */
export function auditUser(authInfo: readonly Id[]): string | null {
  const ordered = [...authInfo.filter((id) => id.scheme !== "ip"), ...authInfo.filter((id) => id.scheme === "ip")];
  const names = ordered.map((id) => (id.scheme === "digest" ? (id.id ?? "").split(":")[0]! : (id.id ?? ""))).filter((n) => n.trim() !== "");
  return names.length === 0 ? null : names.join(",");
}

/** ZKUtil.aclToString: scheme:id:perms for each entry, concatenated as 3.8 prints them (no separator). */
export function aclText(acl: readonly ACL[]): string {
  const letters: [number, string][] = [
    [4, "c"],
    [8, "d"],
    [1, "r"],
    [2, "w"],
    [16, "a"],
  ];
  return acl
    .map(
      (a) =>
        `${a.id.scheme}:${a.id.id}:${letters
          .filter(([bit]) => (a.perms & bit) !== 0)
          .map(([, l]) => l)
          .join("")}`,
    )
    .join("");
}

function createModeOf(flags: number): string | null {
  return createModeName.get(flags)?.toLowerCase() ?? null;
}

/** What the connection issuing a write contributes to its audit lines. */
export interface AuditOrigin {
  session: string;
  user: string | null;
  ip: string;
}

/** The origin of a write by a session holding these ids; its address is its ip id. */
export function auditOrigin(sessionId: bigint, authInfo: readonly Id[]): AuditOrigin {
  const ip = authInfo.find((id) => id.scheme === "ip")?.id ?? "";
  return { session: `0x${sessionId.toString(16)}`, user: auditUser(authInfo), ip };
}

/**
 * The audit events of one applied client write, as AuditHelper derives them: a failed write
 * (an error txn) is one failure line naming the requested path; a multi that succeeded is one
 * line per create, delete and setData in it (a create's type looked up by its requested path,
 * so a sequential one has none); a failed multi is one multiOperation failure line.
 */
export function auditEventsOf(write: WriteRequest, body: TxnBody, result: TxnResult, origin: AuditOrigin): AuditEvent[] {
  const failed = body.type === OpCode.error || result.err !== 0;
  const base = { session: origin.session, user: origin.user, ip: origin.ip };
  const one = (operation: string, znode: string | null, extra: Partial<AuditEvent> = {}): AuditEvent[] => [
    { ...base, operation, znode: failed ? znode : (result.path ?? znode), ...extra, result: failed ? "failure" : "success" },
  ];
  switch (write.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return one("create", write.request.path, { znodeType: createModeOf(write.request.flags) });
    case OpCode.delete:
      return one("delete", write.request.path);
    case OpCode.setData:
      return one("setData", write.request.path);
    case OpCode.setACL:
      return one("setAcl", write.request.path, { acl: aclText(write.request.acl ?? []) });
    case OpCode.reconfig:
      return [{ ...base, operation: "reconfig", znode: result.path, result: failed ? "failure" : "success" }];
    case OpCode.multi:
      return failed ? [{ ...base, operation: "multiOperation", result: "failure" }] : multiEvents(write, result, base);
    default:
      return [];
  }
}

function multiEvents(write: Extract<WriteRequest, { type: typeof OpCode.multi }>, result: TxnResult, base: AuditOrigin): AuditEvent[] {
  const createModes = new Map<string, string | null>();
  for (const op of write.ops) {
    if (op.type === OpCode.create || op.type === OpCode.create2 || op.type === OpCode.createContainer) {
      if (op.request.path !== null) createModes.set(op.request.path, createModeOf(op.request.flags));
    }
  }
  const events: AuditEvent[] = [];
  for (const sub of result.multiResult ?? []) {
    const at = { ...base, znode: sub.path, result: "success" as const };
    if (sub.type === OpCode.create || sub.type === OpCode.create2 || sub.type === OpCode.createContainer || sub.type === OpCode.createTTL) {
      events.push({ ...at, operation: "create", znodeType: createModes.get(sub.path ?? "") ?? null });
    } else if (sub.type === OpCode.delete || sub.type === OpCode.deleteContainer) {
      events.push({ ...at, operation: "delete" });
    } else if (sub.type === OpCode.setData) {
      events.push({ ...at, operation: "setData" });
    }
  }
  return events;
}

/**
 * The ephemerals a closing or expiring session's txn deletes, one event each in the txn's order,
 * as ZooKeeper's DataTree audits them: no ip, and the server's own account as the user.
 */
export function sessionCloseEvents(sessionId: bigint, body: TxnBody, serverUser: string): AuditEvent[] {
  if (body.type !== OpCode.closeSession || body.txn === null) return [];
  return body.txn.paths2Delete.map((path) => ({
    session: `0x${sessionId.toString(16)}`,
    user: serverUser,
    operation: "ephemeralZNodeDeletionOnSessionCloseOrExpire",
    znode: path,
    result: "success" as const,
  }));
}

/** The account the server runs as, which ZooKeeper's audit names for its own events. */
export function serverUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}
