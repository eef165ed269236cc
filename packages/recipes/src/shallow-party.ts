import { ZkError, type ZkClient } from "@zkts/client";
import { asyncDispose, newId, nextChildrenChange, retrying } from "./internal.js";

/**
 * Group membership with the identifier in the node name, node-compatible with kazoo's
 * ShallowParty: each member is an ephemeral node `<32 hex id>-<identifier>` (holding the
 * identifier as data too), so one getChildren lists every member without reading any node.
 * The identifier must therefore be a valid node name (no "/"). SetPartitioner's party.
 */
export class ShallowParty {
  private joined = false;
  private readonly node: string;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    readonly identifier: string = "",
  ) {
    if (identifier.includes("/")) throw new Error(`party identifier ${JSON.stringify(identifier)} cannot contain "/"`);
    this.node = `${newId()}-${identifier}`;
  }

  get isMember(): boolean {
    return this.joined;
  }

  /** Joins (idempotent): creates this member's ephemeral node, and the parents if needed. */
  async join(): Promise<void> {
    if (this.joined) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await retrying(() => this.client.create(`${this.path}/${this.node}`, this.identifier, { mode: "EPHEMERAL" }));
        this.joined = true;
        return;
      } catch (err) {
        // The name carries our random id: an existing node is our own create whose reply was lost.
        if (ZkError.is(err, "NODEEXISTS")) {
          this.joined = true;
          return;
        }
        if (!ZkError.is(err, "NONODE")) throw err;
        await this.client.mkdirp(this.path);
      }
    }
    throw new Error(`party ${this.path}: could not join`);
  }

  async leave(): Promise<void> {
    if (!this.joined) return;
    this.joined = false;
    try {
      await retrying(() => this.client.delete(`${this.path}/${this.node}`));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }

  async [asyncDispose](): Promise<void> {
    await this.leave();
  }

  async members(): Promise<string[]> {
    return ShallowParty.membersOf(this.client, this.path);
  }

  /** The identifiers of the members (order unspecified), from the node names alone. */
  static async membersOf(client: ZkClient, path: string): Promise<string[]> {
    try {
      return identifiersOf(await retrying(() => client.getChildren(path)));
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return [];
      throw err;
    }
  }

  /** The member list now and after every change; `break` (or the signal) ends it. */
  static async *watch(client: ZkClient, path: string, signal?: AbortSignal): AsyncGenerator<string[]> {
    await client.mkdirp(path);
    for (let round = 0; round < 1_000_000 && !signal?.aborted; round++) {
      const { children, changed } = nextChildrenChange(client, path, signal);
      yield identifiersOf(await retrying(() => children));
      if ((await changed) === undefined) return;
    }
  }
}

/** What follows the first "-" of each member node's name. */
export function identifiersOf(children: readonly string[]): string[] {
  return children.map((child) => child.slice(child.indexOf("-") + 1));
}
