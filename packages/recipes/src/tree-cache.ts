import { ZkError, joinPath, type Stat, type WatchEvent, type ZkClient } from "@zkts/client";

export interface CachedNode {
  data: Buffer;
  stat: Stat;
}

export type TreeCacheEvent = { type: "added" | "updated"; path: string; node: CachedNode } | { type: "removed"; path: string } | { type: "initialized" };

/**
 * A local copy of a subtree kept in sync by one persistent recursive watch. The watch is
 * registered before the initial walk so no change can slip between the two; after a
 * reconnect the server does not replay persistent watches, so the tree is walked again.
 */
export class TreeCache {
  private readonly nodes = new Map<string, CachedNode>();
  private readonly listeners = new Set<(event: TreeCacheEvent) => void>();
  private started = false;
  private readonly onWatch = (event: WatchEvent) => void this.handle(event).catch(() => {});
  private readonly onReconnect = () => void this.walk(this.root).catch(() => {});
  private disconnectedSinceWalk = false;
  private readonly onDisconnect = () => (this.disconnectedSinceWalk = true);
  private readonly onConnected = () => {
    if (!this.disconnectedSinceWalk) return;
    this.disconnectedSinceWalk = false;
    this.onReconnect();
  };

  constructor(
    private readonly client: ZkClient,
    readonly root: string,
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.client.addWatch(this.root, "persistentRecursive", this.onWatch);
    this.client.on("disconnected", this.onDisconnect);
    this.client.on("connected", this.onConnected);
    await this.walk(this.root);
    this.emit({ type: "initialized" });
  }

  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.client.off("disconnected", this.onDisconnect);
    this.client.off("connected", this.onConnected);
    try {
      await this.client.removeWatches(this.root, "persistentRecursive");
    } catch (err) {
      if (!(err instanceof ZkError)) throw err;
    }
  }

  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** Cached child names of `path`, sorted. */
  children(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    const out: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key.startsWith(prefix) && key !== path && !key.slice(prefix.length).includes("/")) out.push(key.slice(prefix.length));
    }
    return out.sort();
  }

  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  onEvent(listener: (event: TreeCacheEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TreeCacheEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async handle(event: WatchEvent): Promise<void> {
    switch (event.type) {
      case "NodeCreated":
      case "NodeDataChanged":
        return this.refresh(event.path);
      case "NodeDeleted":
        return this.removeSubtree(event.path);
      default:
        return;
    }
  }

  /** Re-reads one node; a node gone meanwhile is removed (its delete event follows anyway). */
  private async refresh(path: string): Promise<void> {
    try {
      const node = await this.client.getData(path);
      const previous = this.nodes.get(path);
      if (previous !== undefined && previous.stat.mzxid > node.stat.mzxid) return;
      this.nodes.set(path, node);
      this.emit({ type: previous === undefined ? "added" : "updated", path, node });
    } catch (err) {
      if (ZkError.is(err, "NONODE")) this.removeSubtree(path);
      else throw err;
    }
  }

  private removeSubtree(path: string): void {
    const prefix = path === "/" ? "/" : `${path}/`;
    for (const key of [...this.nodes.keys()]) {
      if (key === path || key.startsWith(prefix)) {
        this.nodes.delete(key);
        this.emit({ type: "removed", path: key });
      }
    }
  }

  /** Loads a subtree and drops cached nodes under it that no longer exist. */
  private async walk(path: string): Promise<void> {
    const seen = new Set<string>();
    const visit = async (p: string, depth: number): Promise<void> => {
      if (depth > 1000) return;
      let children: string[];
      try {
        await this.refresh(p);
        children = await this.client.getChildren(p);
      } catch (err) {
        if (ZkError.is(err, "NONODE")) return;
        throw err;
      }
      seen.add(p);
      for (const child of children) await visit(joinPath(p, child), depth + 1);
    };
    await visit(path, 0);
    for (const key of [...this.nodes.keys()]) {
      if ((key === path || key.startsWith(path === "/" ? "/" : `${path}/`)) && !seen.has(key)) {
        this.nodes.delete(key);
        this.emit({ type: "removed", path: key });
      }
    }
  }
}
