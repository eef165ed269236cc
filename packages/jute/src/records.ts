import { record, t, type RecordCodec } from "./schema.js";

/** The TypeScript type a record codec reads and writes. */
export type RecordOf<C> = C extends RecordCodec<infer T> ? T : never;

// Records read from clients take nulls wherever zookeeper.jute has a ustring, buffer or vector
// (t.optUstring, t.buffer, t.optVector), because clients send them: kazoo, for one, writes
// every empty string as length −1. What a null means is decided by the request processors.

// ---- org.apache.zookeeper.data -------------------------------------------------------------

export const Id = record("Id", { scheme: t.optUstring, id: t.optUstring });
export type Id = RecordOf<typeof Id>;

export const ACL = record("ACL", { perms: t.int, id: Id });
export type ACL = RecordOf<typeof ACL>;

export const Stat = record(
  "Stat",
  {
    czxid: t.long,
    mzxid: t.long,
    ctime: t.long,
    mtime: t.long,
    version: t.int,
    cversion: t.int,
    aversion: t.int,
    ephemeralOwner: t.long,
    dataLength: t.int,
    numChildren: t.int,
    pzxid: t.long,
  },
  {
    toJSON(): StatJson {
      return statJson(this);
    },
  },
);
export type Stat = RecordOf<typeof Stat>;

/**
 * A Stat as JSON (what JSON.stringify writes for a Stat read off the wire): times as numbers,
 * milliseconds since the epoch and exact in a double; zxids and the owner's session id as
 * decimal strings, since they use all 64 bits.
 */
export function statJson(stat: StatFields): StatJson {
  return {
    czxid: stat.czxid.toString(),
    mzxid: stat.mzxid.toString(),
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner.toString(),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: stat.pzxid.toString(),
  };
}

interface StatFields {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export type StatJson = { [K in keyof StatFields]: StatFields[K] extends bigint ? (K extends "ctime" | "mtime" ? number : string) : StatFields[K] };

export const StatPersisted = record("StatPersisted", {
  czxid: t.long,
  mzxid: t.long,
  ctime: t.long,
  mtime: t.long,
  version: t.int,
  cversion: t.int,
  aversion: t.int,
  ephemeralOwner: t.long,
  pzxid: t.long,
});
export type StatPersisted = RecordOf<typeof StatPersisted>;

// ---- org.apache.zookeeper.proto ------------------------------------------------------------

/** The jute record; the optional trailing readOnly byte is handled in handshake.ts. */
export const ConnectRequest = record("ConnectRequest", {
  protocolVersion: t.int,
  lastZxidSeen: t.long,
  timeOut: t.int,
  sessionId: t.long,
  passwd: t.buffer,
});
export type ConnectRequest = RecordOf<typeof ConnectRequest>;

export const ConnectResponse = record("ConnectResponse", {
  protocolVersion: t.int,
  timeOut: t.int,
  sessionId: t.long,
  passwd: t.buffer,
});
export type ConnectResponse = RecordOf<typeof ConnectResponse>;

export const SetWatches = record("SetWatches", {
  relativeZxid: t.long,
  dataWatches: t.optVector(t.optUstring),
  existWatches: t.optVector(t.optUstring),
  childWatches: t.optVector(t.optUstring),
});
export type SetWatches = RecordOf<typeof SetWatches>;

export const SetWatches2 = record("SetWatches2", {
  relativeZxid: t.long,
  dataWatches: t.optVector(t.optUstring),
  existWatches: t.optVector(t.optUstring),
  childWatches: t.optVector(t.optUstring),
  persistentWatches: t.optVector(t.optUstring),
  persistentRecursiveWatches: t.optVector(t.optUstring),
});
export type SetWatches2 = RecordOf<typeof SetWatches2>;

export const RequestHeader = record("RequestHeader", { xid: t.int, type: t.int });
export type RequestHeader = RecordOf<typeof RequestHeader>;

export const MultiHeader = record("MultiHeader", { type: t.int, done: t.bool, err: t.int });
export type MultiHeader = RecordOf<typeof MultiHeader>;

export const AuthPacket = record("AuthPacket", { type: t.int, scheme: t.optUstring, auth: t.buffer });
export type AuthPacket = RecordOf<typeof AuthPacket>;

export const ReplyHeader = record("ReplyHeader", { xid: t.int, zxid: t.long, err: t.int });
export type ReplyHeader = RecordOf<typeof ReplyHeader>;

export const GetDataRequest = record("GetDataRequest", { path: t.optUstring, watch: t.bool });
export type GetDataRequest = RecordOf<typeof GetDataRequest>;

export const SetDataRequest = record("SetDataRequest", { path: t.optUstring, data: t.buffer, version: t.int });
export type SetDataRequest = RecordOf<typeof SetDataRequest>;

/** Java clients pass null for the lists they do not use, so all three strings are nullable. */
export const ReconfigRequest = record("ReconfigRequest", {
  joiningServers: t.optUstring,
  leavingServers: t.optUstring,
  newMembers: t.optUstring,
  curConfigId: t.long,
});
export type ReconfigRequest = RecordOf<typeof ReconfigRequest>;

export const SetDataResponse = record("SetDataResponse", { stat: Stat });
export type SetDataResponse = RecordOf<typeof SetDataResponse>;

export const GetSASLRequest = record("GetSASLRequest", { token: t.buffer });
export type GetSASLRequest = RecordOf<typeof GetSASLRequest>;

export const SetSASLRequest = record("SetSASLRequest", { token: t.buffer });
export type SetSASLRequest = RecordOf<typeof SetSASLRequest>;

export const SetSASLResponse = record("SetSASLResponse", { token: t.buffer });
export type SetSASLResponse = RecordOf<typeof SetSASLResponse>;

export const CreateRequest = record("CreateRequest", {
  path: t.optUstring,
  data: t.buffer,
  acl: t.optVector(ACL),
  flags: t.int,
});
export type CreateRequest = RecordOf<typeof CreateRequest>;

export const CreateTTLRequest = record("CreateTTLRequest", {
  path: t.optUstring,
  data: t.buffer,
  acl: t.optVector(ACL),
  flags: t.int,
  ttl: t.long,
});
export type CreateTTLRequest = RecordOf<typeof CreateTTLRequest>;

export const DeleteRequest = record("DeleteRequest", { path: t.optUstring, version: t.int });
export type DeleteRequest = RecordOf<typeof DeleteRequest>;

export const GetChildrenRequest = record("GetChildrenRequest", { path: t.optUstring, watch: t.bool });
export type GetChildrenRequest = RecordOf<typeof GetChildrenRequest>;

export const GetAllChildrenNumberRequest = record("GetAllChildrenNumberRequest", { path: t.optUstring });
export type GetAllChildrenNumberRequest = RecordOf<typeof GetAllChildrenNumberRequest>;

export const GetStatPersistedRequest = record("GetStatPersistedRequest", { path: t.optUstring });
export type GetStatPersistedRequest = RecordOf<typeof GetStatPersistedRequest>;

export const GetChildren2Request = record("GetChildren2Request", { path: t.optUstring, watch: t.bool });
export type GetChildren2Request = RecordOf<typeof GetChildren2Request>;

export const CheckVersionRequest = record("CheckVersionRequest", { path: t.optUstring, version: t.int });
export type CheckVersionRequest = RecordOf<typeof CheckVersionRequest>;

export const GetMaxChildrenRequest = record("GetMaxChildrenRequest", { path: t.optUstring });
export type GetMaxChildrenRequest = RecordOf<typeof GetMaxChildrenRequest>;

export const GetMaxChildrenResponse = record("GetMaxChildrenResponse", { max: t.int });
export type GetMaxChildrenResponse = RecordOf<typeof GetMaxChildrenResponse>;

export const SetMaxChildrenRequest = record("SetMaxChildrenRequest", { path: t.optUstring, max: t.int });
export type SetMaxChildrenRequest = RecordOf<typeof SetMaxChildrenRequest>;

export const SyncRequest = record("SyncRequest", { path: t.optUstring });
export type SyncRequest = RecordOf<typeof SyncRequest>;

export const SyncResponse = record("SyncResponse", { path: t.optUstring });
export type SyncResponse = RecordOf<typeof SyncResponse>;

export const GetACLRequest = record("GetACLRequest", { path: t.optUstring });
export type GetACLRequest = RecordOf<typeof GetACLRequest>;

export const SetACLRequest = record("SetACLRequest", { path: t.optUstring, acl: t.optVector(ACL), version: t.int });
export type SetACLRequest = RecordOf<typeof SetACLRequest>;

export const SetACLResponse = record("SetACLResponse", { stat: Stat });
export type SetACLResponse = RecordOf<typeof SetACLResponse>;

export const AddWatchRequest = record("AddWatchRequest", { path: t.optUstring, mode: t.int });
export type AddWatchRequest = RecordOf<typeof AddWatchRequest>;

export const WatcherEvent = record("WatcherEvent", { type: t.int, state: t.int, path: t.ustring });
export type WatcherEvent = RecordOf<typeof WatcherEvent>;

export const ErrorResponse = record("ErrorResponse", { err: t.int });
export type ErrorResponse = RecordOf<typeof ErrorResponse>;

export const CreateResponse = record("CreateResponse", { path: t.ustring });
export type CreateResponse = RecordOf<typeof CreateResponse>;

export const Create2Response = record("Create2Response", { path: t.ustring, stat: Stat });
export type Create2Response = RecordOf<typeof Create2Response>;

export const ExistsRequest = record("ExistsRequest", { path: t.optUstring, watch: t.bool });
export type ExistsRequest = RecordOf<typeof ExistsRequest>;

export const ExistsResponse = record("ExistsResponse", { stat: Stat });
export type ExistsResponse = RecordOf<typeof ExistsResponse>;

export const GetDataResponse = record("GetDataResponse", { data: t.buffer, stat: Stat });
export type GetDataResponse = RecordOf<typeof GetDataResponse>;

export const GetChildrenResponse = record("GetChildrenResponse", { children: t.vector(t.ustring) });
export type GetChildrenResponse = RecordOf<typeof GetChildrenResponse>;

export const GetAllChildrenNumberResponse = record("GetAllChildrenNumberResponse", { totalNumber: t.int });
export type GetAllChildrenNumberResponse = RecordOf<typeof GetAllChildrenNumberResponse>;

export const GetStatPersistedResponse = record("GetStatPersistedResponse", { statPersisted: StatPersisted });
export type GetStatPersistedResponse = RecordOf<typeof GetStatPersistedResponse>;

export const GetChildren2Response = record("GetChildren2Response", {
  children: t.vector(t.ustring),
  stat: Stat,
});
export type GetChildren2Response = RecordOf<typeof GetChildren2Response>;

export const GetACLResponse = record("GetACLResponse", { acl: t.vector(ACL), stat: Stat });
export type GetACLResponse = RecordOf<typeof GetACLResponse>;

export const CheckWatchesRequest = record("CheckWatchesRequest", { path: t.optUstring, type: t.int });
export type CheckWatchesRequest = RecordOf<typeof CheckWatchesRequest>;

export const RemoveWatchesRequest = record("RemoveWatchesRequest", { path: t.optUstring, type: t.int });
export type RemoveWatchesRequest = RecordOf<typeof RemoveWatchesRequest>;

export const GetEphemeralsRequest = record("GetEphemeralsRequest", { prefixPath: t.optUstring });
export type GetEphemeralsRequest = RecordOf<typeof GetEphemeralsRequest>;

export const GetEphemeralsResponse = record("GetEphemeralsResponse", { ephemerals: t.vector(t.ustring) });
export type GetEphemeralsResponse = RecordOf<typeof GetEphemeralsResponse>;

export const ClientInfo = record("ClientInfo", { authScheme: t.ustring, user: t.ustring });
export type ClientInfo = RecordOf<typeof ClientInfo>;

export const WhoAmIResponse = record("WhoAmIResponse", { clientInfo: t.vector(ClientInfo) });
export type WhoAmIResponse = RecordOf<typeof WhoAmIResponse>;

// ---- org.apache.zookeeper.server.quorum ----------------------------------------------------

export const LearnerInfo = record("LearnerInfo", { serverid: t.long, protocolVersion: t.int, configVersion: t.long });
export type LearnerInfo = RecordOf<typeof LearnerInfo>;

/** `type` is one of the numbers of @zkts/zab's QuorumPacketType, the one table of them. */
export const QuorumPacket = record("QuorumPacket", {
  type: t.int,
  zxid: t.long,
  data: t.buffer,
  authinfo: t.optVector(Id),
});
export type QuorumPacket = RecordOf<typeof QuorumPacket>;

export const QuorumAuthPacket = record("QuorumAuthPacket", { magic: t.long, status: t.int, token: t.buffer });
export type QuorumAuthPacket = RecordOf<typeof QuorumAuthPacket>;

// ---- org.apache.zookeeper.server.persistence -----------------------------------------------

export const FileHeader = record("FileHeader", { magic: t.int, version: t.int, dbid: t.long });
export type FileHeader = RecordOf<typeof FileHeader>;

// ---- org.apache.zookeeper.txn --------------------------------------------------------------

export const TxnDigest = record("TxnDigest", { version: t.int, treeDigest: t.long });
export type TxnDigest = RecordOf<typeof TxnDigest>;

export const TxnHeader = record("TxnHeader", {
  clientId: t.long,
  cxid: t.int,
  zxid: t.long,
  time: t.long,
  type: t.int,
});
export type TxnHeader = RecordOf<typeof TxnHeader>;

export const CreateTxnV0 = record("CreateTxnV0", {
  path: t.ustring,
  data: t.buffer,
  acl: t.vector(ACL),
  ephemeral: t.bool,
});
export type CreateTxnV0 = RecordOf<typeof CreateTxnV0>;

export const CreateTxn = record("CreateTxn", {
  path: t.ustring,
  data: t.buffer,
  acl: t.vector(ACL),
  ephemeral: t.bool,
  parentCVersion: t.int,
});
export type CreateTxn = RecordOf<typeof CreateTxn>;

export const CreateTTLTxn = record("CreateTTLTxn", {
  path: t.ustring,
  data: t.buffer,
  acl: t.vector(ACL),
  parentCVersion: t.int,
  ttl: t.long,
});
export type CreateTTLTxn = RecordOf<typeof CreateTTLTxn>;

export const CreateContainerTxn = record("CreateContainerTxn", {
  path: t.ustring,
  data: t.buffer,
  acl: t.vector(ACL),
  parentCVersion: t.int,
});
export type CreateContainerTxn = RecordOf<typeof CreateContainerTxn>;

export const DeleteTxn = record("DeleteTxn", { path: t.ustring });
export type DeleteTxn = RecordOf<typeof DeleteTxn>;

export const SetDataTxn = record("SetDataTxn", { path: t.ustring, data: t.buffer, version: t.int });
export type SetDataTxn = RecordOf<typeof SetDataTxn>;

export const CheckVersionTxn = record("CheckVersionTxn", { path: t.ustring, version: t.int });
export type CheckVersionTxn = RecordOf<typeof CheckVersionTxn>;

export const SetACLTxn = record("SetACLTxn", { path: t.ustring, acl: t.vector(ACL), version: t.int });
export type SetACLTxn = RecordOf<typeof SetACLTxn>;

export const SetMaxChildrenTxn = record("SetMaxChildrenTxn", { path: t.ustring, max: t.int });
export type SetMaxChildrenTxn = RecordOf<typeof SetMaxChildrenTxn>;

export const CreateSessionTxn = record("CreateSessionTxn", { timeOut: t.int });
export type CreateSessionTxn = RecordOf<typeof CreateSessionTxn>;

export const CloseSessionTxn = record("CloseSessionTxn", { paths2Delete: t.vector(t.ustring) });
export type CloseSessionTxn = RecordOf<typeof CloseSessionTxn>;

export const ErrorTxn = record("ErrorTxn", { err: t.int });
export type ErrorTxn = RecordOf<typeof ErrorTxn>;

export const Txn = record("Txn", { type: t.int, data: t.buffer });
export type Txn = RecordOf<typeof Txn>;

export const MultiTxn = record("MultiTxn", { txns: t.vector(Txn) });
export type MultiTxn = RecordOf<typeof MultiTxn>;
