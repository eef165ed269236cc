import { describe, expect, it } from "vitest";
import {
  CONTAINER_EPHEMERAL_OWNER,
  TTL_MAX_MS,
  clientEphemeralOwner,
  ephemeralKind,
  fromStatPersisted,
  newZnode,
  toClientStat,
  toStatPersisted,
  ttlOf,
  ttlOwner,
} from "../src/index.js";

/** A signed 64-bit view of an unsigned hex constant, as Java longs are. */
function long(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(hex));
}

describe("ephemeral owner encoding (EphemeralType)", () => {
  it("stores containers as 0x8000000000000000", () => {
    expect(CONTAINER_EPHEMERAL_OWNER).toBe(long("0x8000000000000000"));
    expect(ephemeralKind(CONTAINER_EPHEMERAL_OWNER)).toBe("container");
  });

  it("stores TTL nodes as 0xFF00000000000000 | ttl and reads the ttl back", () => {
    expect(ttlOwner(1000n)).toBe(long("0xFF000000000003E8"));
    expect(ephemeralKind(ttlOwner(1000n))).toBe("ttl");
    expect(ttlOf(ttlOwner(1000n))).toBe(1000n);
    expect(TTL_MAX_MS).toBe(0xffffffffffn);
    expect(ttlOwner(TTL_MAX_MS)).toBe(long("0xFF0000FFFFFFFFFF"));
    expect(ttlOf(ttlOwner(TTL_MAX_MS))).toBe(TTL_MAX_MS);
  });

  it("classifies 0 as no owner and session ids as normal ephemerals", () => {
    expect(ephemeralKind(0n)).toBe("void");
    expect(ephemeralKind(0x1001n)).toBe("normal");
    // A session id of server 1 (the id is in the top byte).
    expect(ephemeralKind(long("0x0100017f3e2a0000"))).toBe("normal");
  });

  it("reads the TTL prefix as an ordinary session id when extended types are off", () => {
    // Server id 255 puts 0xFF in the top byte of its session ids; ZooKeeper only gives that
    // prefix a meaning with zookeeper.extendedTypesEnabled (which then caps server ids at 254).
    const server255Session = long("0xFF00017F3E2A0001");
    expect(ephemeralKind(server255Session, false)).toBe("normal");
    expect(clientEphemeralOwner(server255Session, false)).toBe(server255Session);
    expect(ephemeralKind(CONTAINER_EPHEMERAL_OWNER, false)).toBe("container");
    expect(ephemeralKind(0n, false)).toBe("void");
    expect(ephemeralKind(server255Session, true)).toBe("ttl");
  });

  it("shows clients 0 for containers and TTL nodes and the session for ephemerals", () => {
    expect(clientEphemeralOwner(CONTAINER_EPHEMERAL_OWNER)).toBe(0n);
    expect(clientEphemeralOwner(ttlOwner(5n))).toBe(0n);
    expect(clientEphemeralOwner(0x1001n)).toBe(0x1001n);
    expect(clientEphemeralOwner(0n)).toBe(0n);
  });
});

describe("toClientStat", () => {
  it("reports cversion as stored*2 - numChildren, i.e. creations plus deletions", () => {
    const node = newZnode(Buffer.from("abc"), 1n, 5n, 50n, 0n);
    // Three children created, one of them deleted again: stored cversion 3, two children left.
    node.cversion = 3;
    node.children.add("x");
    node.children.add("y");
    const stat = toClientStat(node);
    expect(stat.cversion).toBe(4);
    expect(stat.numChildren).toBe(2);
    expect(stat.dataLength).toBe(3);
  });

  it("reports 0 dataLength for null data and hides container and TTL owners", () => {
    expect(toClientStat(newZnode(null, 1n, 1n, 1n, CONTAINER_EPHEMERAL_OWNER)).dataLength).toBe(0);
    expect(toClientStat(newZnode(null, 1n, 1n, 1n, CONTAINER_EPHEMERAL_OWNER)).ephemeralOwner).toBe(0n);
    expect(toClientStat(newZnode(null, 1n, 1n, 1n, ttlOwner(9n))).ephemeralOwner).toBe(0n);
    expect(toClientStat(newZnode(null, 1n, 1n, 1n, 0x77n)).ephemeralOwner).toBe(0x77n);
  });

  it("starts a new node with czxid = mzxid = pzxid and zero versions", () => {
    const stat = toClientStat(newZnode(null, 1n, 9n, 90n, 0n));
    expect(stat).toEqual({
      czxid: 9n,
      mzxid: 9n,
      ctime: 90n,
      mtime: 90n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 0,
      numChildren: 0,
      pzxid: 9n,
    });
  });

  it("keeps the stored owner and cversion in StatPersisted and restores from it", () => {
    const node = newZnode(Buffer.from("d"), 3n, 2n, 20n, ttlOwner(7n));
    node.cversion = 4;
    const persisted = toStatPersisted(node);
    expect(persisted.ephemeralOwner).toBe(ttlOwner(7n));
    expect(persisted.cversion).toBe(4);
    const back = fromStatPersisted(persisted, node.data, 3n);
    expect(toStatPersisted(back)).toEqual(persisted);
    expect(back.children.size).toBe(0);
  });
});
