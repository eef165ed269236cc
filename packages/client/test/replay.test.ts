import { CuttableProxy } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type WatchEvent, type ZkClient } from "../src/index.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * What SetWatches replays after a partition, case by case: changes while the client was away
 * must fire exactly the events ZooKeeper 3.8 fires (recorded below), and watches whose node
 * came and went must stay armed for the next change.
 */
describe.each(targets)("watch replay after a reconnect, against %s", (kind) => {
  let server: TargetServer;
  let admin: ZkClient;

  beforeAll(async () => {
    server = await startTarget(kind);
    admin = await connect(server.connectString);
  });

  afterAll(async () => {
    await admin?.close();
    await server?.cleanup();
  });

  it("replays missed changes as ZooKeeper 3.8 does", async () => {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const c = await connect(proxy.connectString, { reconnectDelayMsMin: 20, reconnectDelayMsMax: 100 });
    try {
      const log: string[] = [];
      const rec = (tag: string) => (e: WatchEvent) => log.push(`${tag}: ${e.type} ${e.path}`);
      /** Every event of a phase is in once the client made round trips after the changes. */
      const settle = async () => {
        await c.sync("/");
        await c.exists("/");
        await admin.sync("/");
        await c.exists("/");
      };
      for (const [path, data] of [
        ["/d1", "x"],
        ["/d2", "x"],
        ["/c1", ""],
        ["/c2", ""],
        ["/c2/k", ""],
        ["/u", "same"],
      ] as const)
        await admin.create(path, data);
      await c.getData("/d1", rec("data/d1 changed+deleted"));
      await c.getData("/d2", rec("data/d2 set twice"));
      await c.getChildren("/c1", rec("child/c1 add+remove"));
      await c.getChildren("/c2", rec("child/c2 grandchild data only"));
      await c.exists("/e1", rec("exists/e1 created+deleted"));
      await c.exists("/e2", rec("exists/e2 created"));
      await c.getData("/u", rec("data/u untouched"));
      await c.exists("/u", rec("exists/u untouched"));

      const disconnected = c.once("disconnected");
      proxy.block();
      await disconnected;
      await admin.setData("/d1", "y");
      await admin.delete("/d1");
      await admin.setData("/d2", "1");
      await admin.setData("/d2", "2");
      await admin.create("/c1/t");
      await admin.delete("/c1/t");
      await admin.setData("/c2/k", "z");
      await admin.create("/e1");
      await admin.delete("/e1");
      await admin.create("/e2");
      const reconnected = c.once("connected");
      proxy.unblock();
      await reconnected;
      await settle();
      const replayed = log.splice(0).sort();
      await admin.create("/e1");
      await admin.setData("/u", "new");
      await settle();
      const later = log.splice(0).sort();

      expect(replayed).toEqual([
        "child/c1 add+remove: NodeChildrenChanged /c1",
        "data/d1 changed+deleted: NodeDeleted /d1",
        "data/d2 set twice: NodeDataChanged /d2",
        "exists/e2 created: NodeCreated /e2",
      ]);
      expect(later).toEqual(["data/u untouched: NodeDataChanged /u", "exists/e1 created+deleted: NodeCreated /e1", "exists/u untouched: NodeDataChanged /u"]);
    } finally {
      await c.close();
      await proxy.close();
    }
  });
});
