import { type ACL, Ids } from "@zkts/jute";

/** The ACL reference ZooKeeper uses for OPEN_ACL_UNSAFE-by-default nodes (and null lists). */
export const OPEN_UNSAFE_ACL_ID = -1n;
const OPEN_ACL_UNSAFE: ACL[] = [...Ids.OPEN_ACL_UNSAFE];

function aclKey(acl: readonly ACL[]): string {
  let key = "";
  for (const a of acl) key += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
  return key;
}

/**
 * Reference-counted ACL lists (ReferenceCountedACLCache): every distinct list is stored once
 * and znodes hold its numeric id, which is also how snapshots store ACLs.
 */
export class AclCache {
  private readonly byId = new Map<bigint, ACL[]>();
  private readonly byKey = new Map<string, bigint>();
  private readonly refs = new Map<bigint, number>();
  private nextId = 1n;

  /** Interns a list and takes a reference to it. */
  intern(acl: readonly ACL[] | null): bigint {
    if (acl === null) return OPEN_UNSAFE_ACL_ID;
    const key = aclKey(acl);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.byKey.set(key, id);
      this.byId.set(
        id,
        acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })),
      );
    }
    this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
    return id;
  }

  release(id: bigint): void {
    if (id === OPEN_UNSAFE_ACL_ID) return;
    const count = (this.refs.get(id) ?? 0) - 1;
    if (count > 0) {
      this.refs.set(id, count);
      return;
    }
    this.refs.delete(id);
    const acl = this.byId.get(id);
    this.byId.delete(id);
    if (acl !== undefined) this.byKey.delete(aclKey(acl));
  }

  get(id: bigint): ACL[] {
    if (id === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE;
    const acl = this.byId.get(id);
    if (acl === undefined) throw new Error(`ACL id ${id} is not in the cache`);
    return acl;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every (id, list) pair, for snapshots. */
  entries(): IterableIterator<[bigint, ACL[]]> {
    return this.byId.entries();
  }

  /** Restores a list with a known id from a snapshot; references are added as nodes load. */
  restore(id: bigint, acl: ACL[]): void {
    this.byId.set(id, acl);
    this.byKey.set(aclKey(acl), id);
    if (id >= this.nextId) this.nextId = id + 1n;
  }

  addReference(id: bigint): void {
    if (id === OPEN_UNSAFE_ACL_ID) return;
    this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
  }
}
