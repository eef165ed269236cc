import type { Znode } from "./znode.js";
import { NO_SLOT, type ZnodeStore } from "./znode-store.js";

/**
 * The tree's znodes as a read-only Map from path to znode, for callers that walk or inspect
 * the whole tree (tests, tools). Each value is a copy made as it is read (see DataTree.getNode).
 */
export class ZnodeMapView implements ReadonlyMap<string, Znode> {
  constructor(
    private readonly store: ZnodeStore,
    private readonly znodeAt: (slot: number) => Znode,
  ) {}

  get size(): number {
    return this.store.size;
  }

  get(path: string): Znode | undefined {
    const slot = this.store.slotOf(path);
    return slot === NO_SLOT ? undefined : this.znodeAt(slot);
  }

  has(path: string): boolean {
    return this.store.has(path);
  }

  keys(): MapIterator<string> {
    return this.store.pathList();
  }

  *entries(): MapIterator<[string, Znode]> {
    for (const [path, slot] of this.store.entries()) yield [path, this.znodeAt(slot)];
  }

  *values(): MapIterator<Znode> {
    for (const [, slot] of this.store.entries()) yield this.znodeAt(slot);
  }

  forEach(callback: (value: Znode, key: string, map: ReadonlyMap<string, Znode>) => void): void {
    for (const [path, node] of this.entries()) callback(node, path, this);
  }

  [Symbol.iterator](): MapIterator<[string, Znode]> {
    return this.entries();
  }
}
