import { ZkError, type ZkClient } from "@zkts/client";

/**
 * A shared integer stored as decimal text, updated by compare-and-set on the node version:
 * a concurrent update makes setData fail with BADVERSION and the add is retried on the new
 * value, so no increment is lost.
 */
export class SharedCounter {
  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    private readonly initial = 0,
  ) {}

  async get(): Promise<number> {
    try {
      return Number((await this.client.getData(this.path)).data.toString() || "0");
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return this.initial;
      throw err;
    }
  }

  /** Adds `delta` atomically and returns the new value. */
  async add(delta: number, attemptsMax = 1000): Promise<number> {
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      let current: number;
      let version: number;
      try {
        const { data, stat } = await this.client.getData(this.path);
        current = Number(data.toString() || "0");
        version = stat.version;
      } catch (err) {
        if (!ZkError.is(err, "NONODE")) throw err;
        try {
          await this.client.mkdirp(this.path.slice(0, this.path.lastIndexOf("/")) || "/");
          await this.client.create(this.path, String(this.initial + delta));
          return this.initial + delta;
        } catch (createErr) {
          if (ZkError.is(createErr, "NODEEXISTS")) continue;
          throw createErr;
        }
      }
      try {
        await this.client.setData(this.path, String(current + delta), version);
        return current + delta;
      } catch (err) {
        if (!ZkError.is(err, "BADVERSION")) throw err;
      }
    }
    throw new Error(`counter ${this.path}: no update succeeded in ${attemptsMax} attempts`);
  }

  increment(): Promise<number> {
    return this.add(1);
  }
}
