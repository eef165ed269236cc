import { ZkError, type ZkClient } from "@zkts/client";
import { asyncDispose, newId, nextChildrenChange, retrying } from "./internal.js";

export const PARTY_KIND = "__party__";

/**
 * Group membership, node-compatible with kazoo's Party: each member is an ephemeral node
 * `<32 hex id>__party__` holding its identifier, so a member leaves when it leaves or its
 * session ends. (kazoo creates the node without a sequence suffix; this recipe does the same,
 * so kazoo and zkts members list each other.) The basis of service discovery: put an address
 * in the identifier and watch the party.
 */
export class Party {
  private node: string | undefined;
  private readonly id = newId();

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    private readonly identifier: string = "",
  ) {}

  get isMember(): boolean {
    return this.node !== undefined;
  }

  /** Joins (idempotent): creates this member's ephemeral node, and the parents if needed. */
  async join(): Promise<void> {
    if (this.node !== undefined) return;
    const name = `${this.id}${PARTY_KIND}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await retrying(() => this.client.create(`${this.path}/${name}`, this.identifier, { mode: "EPHEMERAL" }));
        this.node = name;
        return;
      } catch (err) {
        // A create whose reply was lost may have happened: the node with our id is ours.
        if (ZkError.is(err, "NODEEXISTS")) {
          this.node = name;
          return;
        }
        if (!ZkError.is(err, "NONODE")) throw err;
        await this.client.mkdirp(this.path);
      }
    }
    throw new Error(`party ${this.path}: could not join`);
  }

  async leave(): Promise<void> {
    const node = this.node;
    this.node = undefined;
    if (node === undefined) return;
    try {
      await retrying(() => this.client.delete(`${this.path}/${node}`));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }

  async [asyncDispose](): Promise<void> {
    await this.leave();
  }

  /** The identifiers of the current members (order unspecified). */
  async members(): Promise<string[]> {
    return Party.membersOf(this.client, this.path);
  }

  static async membersOf(client: ZkClient, path: string): Promise<string[]> {
    let children: string[];
    try {
      children = await retrying(() => client.getChildren(path));
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return [];
      throw err;
    }
    const out: string[] = [];
    for (const child of children.filter((c) => c.endsWith(PARTY_KIND))) {
      try {
        out.push((await retrying(() => client.getData(`${path}/${child}`))).data.toString());
      } catch (err) {
        if (!ZkError.is(err, "NONODE")) throw err;
      }
    }
    return out;
  }

  /**
   * The member list now and after every change, as kazoo's ChildrenWatch gives it: an async
   * iterator; `break` (or the signal) ends it. Changes during a read coalesce into the next list.
   */
  static async *watch(client: ZkClient, path: string, signal?: AbortSignal): AsyncGenerator<string[]> {
    await client.mkdirp(path);
    for (let round = 0; round < 1_000_000 && !signal?.aborted; round++) {
      const { children, changed } = nextChildrenChange(client, path, signal);
      await retrying(() => children);
      yield await Party.membersOf(client, path);
      if ((await changed) === undefined) return;
    }
  }
}
