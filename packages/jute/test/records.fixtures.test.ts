import { describe, expect, it } from "vitest";
import {
  AuthPacket,
  CreateRequest,
  CreateResponse,
  CreateTxn,
  GetChildrenResponse,
  SetWatches,
  SyncResponse,
  JuteError,
  JuteWriter,
  Perms,
  QuorumPacket,
  ReconfigRequest,
  ReplyHeader,
  Stat,
  WatcherEvent,
  readConnectRequest,
  readConnectResponse,
  writeConnectRequest,
  writeConnectResponse,
} from "../src/index.js";
import { hex } from "./support/hex.js";

// Field layouts from zookeeper.jute, spelled out byte by byte.

const statBytes = hex(`
  0000000000000002 | 0000000000000003 | 0000019a2b3c4d5e | 0000019a2b3c4d5f
  00000001 | 00000002 | 00000000 | 0000000000000000 | 00000005 | 00000000 | 0000000000000004`);
const statValue = {
  czxid: 2n,
  mzxid: 3n,
  ctime: 0x19a2b3c4d5en,
  mtime: 0x19a2b3c4d5fn,
  version: 1,
  cversion: 2,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 5,
  numChildren: 0,
  pzxid: 4n,
};

describe("records against hand-built bytes", () => {
  it("Stat", () => {
    expect(Stat.decode(statBytes)).toEqual(statValue);
    expect(Stat.encode(statValue)).toEqual(statBytes);
    expect(Stat.sizeMin).toBe(68);
  });

  it("CreateRequest with the world:anyone ACL", () => {
    const bytes = hex(`
      00000002 2f61 | 00000002 6869 | 00000001 | 0000001f 00000005 776f726c64 00000006 616e796f6e65 | 00000003`);
    const value = {
      path: "/a",
      data: Buffer.from("hi"),
      acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
      flags: 3,
    };
    expect(CreateRequest.decode(bytes)).toEqual(value);
    expect(CreateRequest.encode(value)).toEqual(bytes);
  });

  it("request records take −1 as null in every string, buffer and vector, as BinaryInputArchive does", () => {
    const bytes = hex(`ffffffff | ffffffff | ffffffff | 00000000`);
    const value = { path: null, data: null, acl: null, flags: 0 };
    expect(CreateRequest.decode(bytes)).toEqual(value);
    expect(CreateRequest.encode(value)).toEqual(bytes);
    // kazoo's CREATOR_ALL_ACL: ACL(31, Id("auth", "")), the empty id written as −1.
    const creatorAll = hex(`00000002 2f61 | ffffffff | 00000001 | 0000001f 00000004 61757468 ffffffff | 00000000`);
    expect(CreateRequest.decode(creatorAll).acl).toEqual([{ perms: Perms.ALL, id: { scheme: "auth", id: null } }]);
    expect(CreateRequest.encode(CreateRequest.decode(creatorAll))).toEqual(creatorAll);
    const watches = hex(`0000000000000007 | 00000002 ffffffff 00000002 2f61 | ffffffff | 00000000`);
    expect(SetWatches.decode(watches)).toEqual({ relativeZxid: 7n, dataWatches: [null, "/a"], existWatches: null, childWatches: [] });
    expect(SetWatches.encode(SetWatches.decode(watches))).toEqual(watches);
    expect(AuthPacket.decode(hex("00000000 ffffffff ffffffff"))).toEqual({ type: 0, scheme: null, auth: null });
    expect(SyncResponse.decode(hex("ffffffff"))).toEqual({ path: null });
  });

  it("records only a server writes refuse −1 strings and vectors as corrupt", () => {
    expect(() => CreateResponse.decode(hex("ffffffff"))).toThrow(/null ustring/);
    expect(() => GetChildrenResponse.decode(hex("ffffffff"))).toThrow(/null vector/);
    expect(() => CreateTxn.decode(hex("ffffffff ffffffff 00000000 00 00000000"))).toThrow(/null ustring/);
  });

  it("ReplyHeader and a notification's WatcherEvent", () => {
    expect(ReplyHeader.decode(hex("ffffffff ffffffffffffffff 00000000"))).toEqual({ xid: -1, zxid: -1n, err: 0 });
    expect(WatcherEvent.decode(hex("00000003 00000003 00000002 2f61"))).toEqual({ type: 3, state: 3, path: "/a" });
  });

  it("nullable fields: ReconfigRequest strings and QuorumPacket authinfo", () => {
    const reconfig = hex("ffffffff | 00000001 32 | ffffffff | ffffffffffffffff");
    expect(ReconfigRequest.decode(reconfig)).toEqual({ joiningServers: null, leavingServers: "2", newMembers: null, curConfigId: -1n });
    const packet = hex("00000005 | 0000000100000000 | ffffffff | ffffffff");
    expect(QuorumPacket.decode(packet)).toEqual({ type: 5, zxid: 0x1_0000_0000n, data: null, authinfo: null });
    expect(QuorumPacket.encode({ type: 5, zxid: 0x1_0000_0000n, data: null, authinfo: null })).toEqual(packet);
  });

  it("rejects trailing bytes after a record", () => {
    expect(() => ReplyHeader.decode(hex("ffffffff ffffffffffffffff 00000000 00"))).toThrow(/1 trailing bytes after ReplyHeader/);
  });
});

describe("handshake", () => {
  const connectRecord = hex("00000000 | 0000000000000000 | 00007530 | 0000000000000000 | 00000010 00000000000000000000000000000000");
  const request = { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) };

  it("reads a ConnectRequest with and without the trailing readOnly byte", () => {
    expect(readConnectRequest(Buffer.concat([connectRecord, hex("01")]))).toEqual({ ...request, readOnly: true, readOnlyByteSent: true });
    expect(readConnectRequest(Buffer.concat([connectRecord, hex("00")]))).toEqual({ ...request, readOnly: false, readOnlyByteSent: true });
    expect(readConnectRequest(connectRecord)).toEqual({ ...request, readOnly: false, readOnlyByteSent: false });
    expect(() => readConnectRequest(Buffer.concat([connectRecord, hex("0000")]))).toThrow(JuteError);
  });

  it("writes the ConnectRequest with its readOnly byte", () => {
    const w = new JuteWriter(8);
    writeConnectRequest(w, request, false);
    expect(w.toBuffer()).toEqual(Buffer.concat([connectRecord, hex("00")]));
  });

  it("echoes the readOnly byte in the ConnectResponse only when asked", () => {
    const record = hex("00000000 | 00007530 | 0100000000000001 | 00000010 0102030405060708090a0b0c0d0e0f10");
    const reply = { protocolVersion: 0, timeOut: 30000, sessionId: 0x0100000000000001n, passwd: hex("0102030405060708090a0b0c0d0e0f10"), readOnly: false };
    const withByte = new JuteWriter(8);
    writeConnectResponse(withByte, reply, true);
    expect(withByte.toBuffer()).toEqual(Buffer.concat([record, hex("00")]));
    const without = new JuteWriter(8);
    writeConnectResponse(without, reply, false);
    expect(without.toBuffer()).toEqual(record);
    expect(readConnectResponse(Buffer.concat([record, hex("01")]))).toEqual({ ...reply, readOnly: true });
    expect(readConnectResponse(record)).toEqual(reply);
  });
});
