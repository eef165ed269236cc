import { CreateMode, EventType, KeeperState, WatcherType } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { ALICE_IDS, ALICE_ONLY_ACL, Harness, OPEN_ACL, RecordingWatcher, S1, S2, createOp, deleteOp, multiOp, setAclOp, setDataOp } from "./support.js";

const ALICE = { sessionId: S1, authInfo: ALICE_IDS };

describe("which standard watches each write fires", () => {
  it("create: the exists watch on the path and the child watch on the parent", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    const w = new RecordingWatcher();
    expect(h.tree.statNode("/p/c", w)).toBeNull();
    h.tree.getChildren("/p", w);
    h.tree.getData("/p", w);
    h.ok(createOp("/p/c"));
    expect(w.take()).toEqual(["NodeCreated /p/c", "NodeChildrenChanged /p"]);
  });

  it("setData: data and exists watches on the node, nothing for child watches", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/c"));
    const data = new RecordingWatcher();
    const exists = new RecordingWatcher();
    const children = new RecordingWatcher();
    h.tree.getData("/p/c", data);
    h.tree.statNode("/p/c", exists);
    h.tree.getChildren("/p/c", children);
    h.tree.getChildren("/p", children);
    h.ok(setDataOp("/p/c", "x"));
    expect(data.take()).toEqual(["NodeDataChanged /p/c"]);
    expect(exists.take()).toEqual(["NodeDataChanged /p/c"]);
    expect(children.take()).toEqual([]);
  });

  it("delete: NodeDeleted to data and child watches on the node, NodeChildrenChanged on the parent", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/c"));
    const data = new RecordingWatcher();
    const child = new RecordingWatcher();
    const parent = new RecordingWatcher();
    h.tree.getData("/p/c", data);
    h.tree.getChildren("/p/c", child);
    h.tree.getChildren("/p", parent);
    h.ok(deleteOp("/p/c"));
    expect(data.take()).toEqual(["NodeDeleted /p/c"]);
    expect(child.take()).toEqual(["NodeDeleted /p/c"]);
    expect(parent.take()).toEqual(["NodeChildrenChanged /p"]);
  });

  it("delete sends a watcher holding both a data and a child watch one NodeDeleted, not two", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const w = new RecordingWatcher();
    h.tree.getData("/n", w);
    h.tree.getChildren("/n", w);
    h.ok(deleteOp("/n"));
    expect(w.take()).toEqual(["NodeDeleted /n"]);
    // Both watches were used up.
    expect(h.tree.dataWatches.size + h.tree.childWatches.size).toBe(0);
  });

  it("setACL and failed writes fire nothing", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const w = new RecordingWatcher();
    h.tree.getData("/n", w);
    h.tree.getChildren("/n", w);
    h.tree.getChildren("/", w);
    h.ok(setAclOp("/n", OPEN_ACL));
    h.run(setDataOp("/n", "x", 42));
    h.run(createOp("/n"));
    h.run(deleteOp("/n", 9));
    expect(w.take()).toEqual([]);
  });

  it("standard watches are one-shot and can be set again", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const w = new RecordingWatcher();
    h.tree.getData("/n", w);
    h.ok(setDataOp("/n", "1"));
    h.ok(setDataOp("/n", "2"));
    expect(w.take()).toEqual(["NodeDataChanged /n"]);
    h.tree.getData("/n", w);
    h.ok(setDataOp("/n", "3"));
    expect(w.take()).toEqual(["NodeDataChanged /n"]);
  });

  it("every watcher on a path gets its own event, carrying the txn's zxid", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const a = new RecordingWatcher(S1);
    const b = new RecordingWatcher(S2);
    h.tree.getData("/n", a);
    h.tree.getData("/n", b);
    h.ok(setDataOp("/n", "x"));
    const expected = { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: "/n", zxid: h.lastZxid };
    expect(a.events).toEqual([expected]);
    expect(b.events).toEqual([expected]);
  });

  it("the tables' counts follow adds, one-shot firing and removal", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const a = new RecordingWatcher(S1);
    const b = new RecordingWatcher(S2);
    h.tree.getData("/n", a);
    h.tree.getData("/n", b);
    h.tree.statNode("/other", a);
    h.tree.addWatch("/", b, "persistent");
    expect(h.tree.dataWatches.size).toBe(4);
    expect(h.tree.dataWatches.pathCount).toBe(3);
    expect(h.tree.dataWatches.watcherCount).toBe(2);
    h.ok(setDataOp("/n", "x"));
    // Both one-shot watches on /n are gone; the persistent one on / stays.
    expect(h.tree.dataWatches.size).toBe(2);
    expect(h.tree.dataWatches.pathCount).toBe(2);
    expect([...h.tree.dataWatches.pathsOf(a)]).toEqual(["/other"]);
    h.tree.removeWatcher(a);
    expect(h.tree.dataWatches.watcherCount).toBe(1);
    expect(h.tree.childWatches.size).toBe(1);
  });

  it("getData on a missing node sets no watch, exists does", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    expect(h.tree.getData("/later", w)).toBeNull();
    expect(h.tree.getChildren("/later", w)).toBeNull();
    expect(h.tree.dataWatches.size + h.tree.childWatches.size).toBe(0);
    h.tree.statNode("/later", w);
    h.ok(createOp("/later"));
    expect(w.take()).toEqual(["NodeCreated /later"]);
  });
});

describe("persistent watches", () => {
  it("fire for the node's own create, data, children and delete, and stay", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/a", w, "persistent");
    h.ok(createOp("/a"));
    h.ok(setDataOp("/a", "x"));
    h.ok(setDataOp("/a", "y"));
    h.ok(createOp("/a/b"));
    h.ok(setDataOp("/a/b", "not mine"));
    h.ok(deleteOp("/a/b"));
    h.ok(deleteOp("/a"));
    h.ok(createOp("/a"));
    expect(w.take()).toEqual([
      "NodeCreated /a",
      "NodeDataChanged /a",
      "NodeDataChanged /a",
      "NodeChildrenChanged /a",
      "NodeChildrenChanged /a",
      "NodeDeleted /a",
      "NodeCreated /a",
    ]);
  });
});

describe("persistent recursive watches", () => {
  it("fire for the subtree's creates, data changes and deletes, never NodeChildrenChanged", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/a", w, "persistentRecursive");
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    h.ok(createOp("/a/b/c"));
    h.ok(setDataOp("/a/b/c", "x"));
    h.ok(deleteOp("/a/b/c"));
    // Outside the subtree, including a sibling that shares the prefix.
    h.ok(createOp("/ab"));
    h.ok(createOp("/z"));
    expect(w.take()).toEqual(["NodeCreated /a", "NodeCreated /a/b", "NodeCreated /a/b/c", "NodeDataChanged /a/b/c", "NodeDeleted /a/b/c"]);
  });

  it("a standard watch on an ancestor is not triggered by descendants", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const w = new RecordingWatcher();
    h.tree.getData("/a", w);
    h.tree.addWatch("/x", new RecordingWatcher(), "persistentRecursive");
    h.ok(createOp("/a/b"));
    h.ok(setDataOp("/a/b", "x"));
    expect(w.take()).toEqual([]);
  });

  it("a later add for the same watcher and path replaces the mode", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/a", w, "persistentRecursive");
    h.tree.addWatch("/a", w, "persistent");
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    expect(w.take()).toEqual(["NodeCreated /a", "NodeChildrenChanged /a"]);
  });
});

describe("one mode per watcher and path (ZooKeeper 3.8's WatcherModeManager)", () => {
  it("a standard data watch set after a persistent watch makes the data side one-shot", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const w = new RecordingWatcher();
    h.tree.addWatch("/a", w, "persistent");
    h.tree.getData("/a", w);
    h.ok(setDataOp("/a", "1"));
    h.ok(setDataOp("/a", "2"));
    // The child side is still persistent.
    h.ok(createOp("/a/x"));
    h.ok(createOp("/a/y"));
    expect(w.take()).toEqual(["NodeDataChanged /a", "NodeChildrenChanged /a", "NodeChildrenChanged /a"]);
  });
});

describe("events of multi and closeSession", () => {
  it("a multi fires each op's events in op order", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/", w, "persistentRecursive");
    const parent = new RecordingWatcher();
    h.tree.getChildren("/", parent);
    h.ok(multiOp(createOp("/m"), setDataOp("/m", "x"), createOp("/m/c"), deleteOp("/m/c")));
    expect(w.take()).toEqual(["NodeCreated /m", "NodeDataChanged /m", "NodeCreated /m/c", "NodeDeleted /m/c"]);
    expect(parent.take()).toEqual(["NodeChildrenChanged /"]);
  });

  it("a failed multi fires nothing", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/", w, "persistentRecursive");
    h.tree.statNode("/m", w);
    h.run(multiOp(createOp("/m"), deleteOp("/missing")));
    expect(w.take()).toEqual([]);
  });

  it("closeSession fires NodeDeleted for each ephemeral and NodeChildrenChanged for the parent", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/e", { mode: CreateMode.EPHEMERAL }));
    const w = new RecordingWatcher(S2);
    h.tree.getData("/p/e", w);
    h.tree.getChildren("/p", w);
    h.close(S1);
    expect(w.take()).toEqual(["NodeDeleted /p/e", "NodeChildrenChanged /p"]);
  });
});

describe("events are withheld from watchers that may not read the node", () => {
  it("uses the node's ACL for its own events and the parent's for NodeChildrenChanged", () => {
    const h = new Harness();
    const anon = new RecordingWatcher(S2);
    const alice = new RecordingWatcher(S1, ALICE_IDS);
    for (const w of [anon, alice]) {
      h.tree.statNode("/secret", w);
      h.tree.getChildren("/", w);
    }
    h.ok(createOp("/secret", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(alice.take()).toEqual(["NodeCreated /secret", "NodeChildrenChanged /"]);
    expect(anon.take()).toEqual(["NodeChildrenChanged /"]);
    // The withheld watch was still used up, as in ZooKeeper.
    h.ok(setAclOp("/secret", OPEN_ACL), ALICE);
    h.ok(setDataOp("/secret", "x"));
    expect(anon.take()).toEqual([]);
  });

  it("applies to recursive watches on an ancestor too", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    const anon = new RecordingWatcher(S2);
    h.tree.addWatch("/p", anon, "persistentRecursive");
    h.ok(createOp("/p/open"));
    h.ok(createOp("/p/secret", { acl: ALICE_ONLY_ACL }), ALICE);
    h.ok(setDataOp("/p/secret", "x"), ALICE);
    expect(anon.take()).toEqual(["NodeCreated /p/open"]);
  });

  it("unless ACLs are skipped", () => {
    const h = new Harness({ auth: { skipAcl: true } });
    const anon = new RecordingWatcher(S2);
    h.tree.statNode("/secret", anon);
    h.ok(createOp("/secret", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(anon.take()).toEqual(["NodeCreated /secret"]);
  });
});

describe("removing watches", () => {
  it("removeWatcher drops every watch of that watcher only", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const gone = new RecordingWatcher(S1);
    const stays = new RecordingWatcher(S2);
    for (const w of [gone, stays]) {
      h.tree.getData("/n", w);
      h.tree.getChildren("/n", w);
      h.tree.addWatch("/", w, "persistentRecursive");
    }
    h.tree.removeWatcher(gone);
    expect(h.tree.dataWatches.pathsOf(gone).size).toBe(0);
    h.ok(setDataOp("/n", "x"));
    h.ok(createOp("/n/c"));
    expect(gone.take()).toEqual([]);
    expect(stays.take()).toEqual(["NodeDataChanged /n", "NodeCreated /n/c", "NodeChildrenChanged /n"]);
  });

  it("removeWatch removes the watch of the given type and reports whether there was one", () => {
    const h = new Harness();
    h.ok(createOp("/n"));
    const w = new RecordingWatcher();
    h.tree.getData("/n", w);
    h.tree.getChildren("/n", w);
    expect(h.tree.containsWatcher("/n", WatcherType.Children, w)).toBe(true);
    expect(h.tree.removeWatch("/n", WatcherType.Children, w)).toBe(true);
    expect(h.tree.removeWatch("/n", WatcherType.Children, w)).toBe(false);
    expect(h.tree.containsWatcher("/n", WatcherType.Children, w)).toBe(false);
    expect(h.tree.containsWatcher("/n", WatcherType.Data, w)).toBe(true);
    h.ok(createOp("/n/c"));
    h.ok(setDataOp("/n", "x"));
    expect(w.take()).toEqual(["NodeDataChanged /n"]);
    h.tree.getData("/n", w);
    h.tree.getChildren("/n", w);
    expect(h.tree.removeWatch("/n", WatcherType.Any, w)).toBe(true);
    expect(h.tree.containsWatcher("/n", WatcherType.Any, w)).toBe(false);
    expect(h.tree.removeWatch("/n", WatcherType.Any, w)).toBe(false);
  });

  it("removing a persistent recursive watch stops the walk over ancestors", () => {
    const h = new Harness();
    const w = new RecordingWatcher();
    h.tree.addWatch("/a", w, "persistentRecursive");
    expect(h.tree.removeWatch("/a", WatcherType.Any, w)).toBe(true);
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    expect(w.take()).toEqual([]);
  });
});

describe("setWatches on reconnect", () => {
  /** /a, /b, /c exist at `rel`; afterwards /a's data, /c's children and /b's existence change and /d appears. */
  function scenario() {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(createOp("/b"));
    h.ok(createOp("/c"));
    const rel = h.lastZxid;
    h.ok(setDataOp("/a", "x"));
    h.ok(createOp("/c/x"));
    h.ok(deleteOp("/b"));
    h.ok(createOp("/d"));
    return { h, rel };
  }

  it("fires what was missed since relativeZxid and re-arms the rest", () => {
    const { h, rel } = scenario();
    const w = new RecordingWatcher();
    h.tree.setWatches(rel, ["/a", "/b", "/c"], ["/d", "/e"], ["/a", "/b", "/c"], [], [], w);
    expect(w.take()).toEqual(["NodeDataChanged /a", "NodeDeleted /b", "NodeCreated /d", "NodeDeleted /b", "NodeChildrenChanged /c"]);
    expect(w.events).toEqual([]);
    // The re-armed ones: data on /c, exists on /e, children of /a.
    h.ok(setDataOp("/c", "y"));
    h.ok(createOp("/e"));
    h.ok(createOp("/a/k"));
    expect(w.take()).toEqual(["NodeDataChanged /c", "NodeCreated /e", "NodeChildrenChanged /a"]);
    // Fired ones were not re-armed.
    h.ok(setDataOp("/a", "z"));
    h.ok(createOp("/c/y"));
    expect(w.take()).toEqual([]);
  });

  it("uses strictly greater: a change at exactly relativeZxid counts as seen", () => {
    const { h } = scenario();
    const mzxid = h.tree.getNode("/a")!.mzxid;
    const w = new RecordingWatcher();
    h.tree.setWatches(mzxid, ["/a"], [], [], [], [], w);
    expect(w.take()).toEqual([]);
    h.tree.setWatches(mzxid - 1n, ["/a"], [], [], [], [], w);
    expect(w.take()).toEqual(["NodeDataChanged /a"]);
  });

  it("stamps replayed events with the last applied zxid", () => {
    const { h, rel } = scenario();
    const w = new RecordingWatcher();
    h.tree.setWatches(rel, ["/a"], [], [], [], [], w);
    expect(w.events.map((e) => e.zxid)).toEqual([h.tree.lastProcessedZxid]);
    expect(h.tree.lastProcessedZxid).toBe(h.lastZxid);
  });

  it("re-adds persistent and recursive watches without firing anything", () => {
    const { h, rel } = scenario();
    const w = new RecordingWatcher();
    h.tree.setWatches(rel, [], [], [], ["/a"], ["/c"], w);
    expect(w.take()).toEqual([]);
    h.ok(setDataOp("/a", "again"));
    h.ok(createOp("/a/child"));
    h.ok(setDataOp("/c/x", "deep"));
    expect(w.take()).toEqual(["NodeDataChanged /a", "NodeChildrenChanged /a", "NodeDataChanged /c/x"]);
  });
});
