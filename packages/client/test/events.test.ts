import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, Ids, type ACL, type WatchEvent, type ZkClient } from "../src/index.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * Which watches fire for which changes: one-shot data, child and exists watches, persistent
 * and recursive watches, through multi, ephemeral cleanup and removal. The expected
 * transcript was recorded against Apache ZooKeeper 3.8.0. After each step both clients sync
 * and the watching client makes a round trip, so every event of the step has arrived.
 */
const EXPECTED = [
  "-- create /a",
  "exists/a: NodeCreated /a",
  "pers/a: NodeCreated /a",
  "-- setData /a same",
  "data/a: NodeDataChanged /a",
  "pers/a: NodeDataChanged /a",
  "-- setACL /a",
  "-- create /a/b",
  "child/a: NodeChildrenChanged /a",
  "pers/a: NodeChildrenChanged /a",
  "-- setData /a/b",
  "data/a/b: NodeDataChanged /a/b",
  "-- multi delete /a/b + setData /a",
  "child/a#2: NodeChildrenChanged /a",
  "pers/a: NodeChildrenChanged /a",
  "data/a#2: NodeDataChanged /a",
  "pers/a: NodeDataChanged /a",
  "-- delete /a",
  "data/a#3: NodeDeleted /a",
  "child/a#3: NodeDeleted /a",
  "pers/a: NodeDeleted /a",
  "-- create /r",
  "rec/r: NodeCreated /r",
  "-- create /r/x/y chain",
  "rec/r: NodeCreated /r/x",
  "rec/r: NodeCreated /r/x/y",
  "-- setData /r/x/y",
  "rec/r: NodeDataChanged /r/x/y",
  "-- ephemeral /r/e then close owner",
  "rec/r: NodeCreated /r/e",
  "rec/r: NodeDeleted /r/e",
  "-- deleteAll /r",
  "rec/r: NodeDeleted /r/x/y",
  "rec/r: NodeDeleted /r/x",
  "child/r: NodeChildrenChanged /r",
  "rec/r: NodeDeleted /r",
  "-- removeWatches rec /r",
  "rec/r: PersistentWatchRemoved /r",
];

describe.each(targets)("watch event transcript against %s", (kind) => {
  let server: TargetServer;
  let c: ZkClient;
  let w: ZkClient;

  beforeAll(async () => {
    server = await startTarget(kind);
    c = await connect(server.connectString);
    w = await connect(server.connectString);
  });

  afterAll(async () => {
    await c?.close();
    await w?.close();
    await server?.cleanup();
  });

  it("fires the same events as ZooKeeper 3.8", async () => {
    const log: string[] = [];
    const rec = (tag: string) => (e: WatchEvent) => log.push(`${tag}: ${e.type} ${e.path}`);
    const step = async (name: string, f: () => Promise<unknown>) => {
      log.push(`-- ${name}`);
      await f();
      await c.sync("/");
      await w.sync("/");
      await w.exists("/");
    };
    await w.exists("/a", rec("exists/a"));
    await w.addWatch("/a", "persistent", rec("pers/a"));
    await w.addWatch("/r", "persistentRecursive", rec("rec/r"));
    await step("create /a", () => c.create("/a", "1"));
    await w.getData("/a", rec("data/a"));
    await w.getChildren("/a", rec("child/a"));
    await step("setData /a same", () => c.setData("/a", "1"));
    await w.getData("/a", rec("data/a#2"));
    await step("setACL /a", () => c.setACL("/a", Ids.OPEN_ACL_UNSAFE as ACL[]));
    await step("create /a/b", () => c.create("/a/b"));
    await w.getChildren("/a", rec("child/a#2"));
    await w.getData("/a/b", rec("data/a/b"));
    await step("setData /a/b", () => c.setData("/a/b", "x"));
    await step("multi delete /a/b + setData /a", () => c.transaction().delete("/a/b").setData("/a", "2").commit());
    await w.getData("/a", rec("data/a#3"));
    await w.getChildren("/a", rec("child/a#3"));
    await step("delete /a", () => c.delete("/a"));
    await step("create /r", () => c.create("/r"));
    await step("create /r/x/y chain", async () => {
      await c.create("/r/x");
      await c.create("/r/x/y", "v");
    });
    await step("setData /r/x/y", () => c.setData("/r/x/y", "w"));
    await step("ephemeral /r/e then close owner", async () => {
      const owner = await connect(server.connectString);
      await owner.create("/r/e", null, { mode: "EPHEMERAL" });
      await owner.close();
    });
    await w.getChildren("/r", rec("child/r"));
    await step("deleteAll /r", () => c.deleteAll("/r"));
    await step("removeWatches rec /r", () => w.removeWatches("/r", "persistentRecursive"));
    expect(log).toEqual(EXPECTED);
  });
});
