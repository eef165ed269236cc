/**
 * The walk a snapshot writer takes over the live tree, which may change between its steps (a
 * fuzzy snapshot): nodes there throughout come once each in preorder, nodes gone before they
 * are reached are skipped, even when their slots were reused by other nodes meanwhile.
 */
import { describe, expect, it } from "vitest";
import { DataTree } from "../src/index.js";
import { OPEN_ACL } from "./support.js";

function treeOf(parents: number, children: number): DataTree {
  const tree = new DataTree();
  let zxid = 1n;
  for (let a = 0; a < parents; a++) {
    tree.createNode(`/a${a}`, null, OPEN_ACL, 0n, 0, zxid++, 1n);
    for (let b = 0; b < children; b++) tree.createNode(`/a${a}/b${b}`, Buffer.from(`${a}.${b}`), OPEN_ACL, 0n, 0, zxid++, 1n);
  }
  return tree;
}

describe("the snapshot walk", () => {
  it("takes the tree in preorder, children in creation order", () => {
    const paths = [...treeOf(2, 2).snapshotNodes()].map((n) => n.path);
    expect(paths.filter((p) => p.startsWith("/a"))).toEqual(["/a0", "/a0/b0", "/a0/b1", "/a1", "/a1/b0", "/a1/b1"]);
    expect(paths[0]).toBe("");
  });

  it("skips nodes deleted before it reaches them though their slots were reused, and takes a re-created one once", () => {
    const tree = treeOf(4, 4);
    const walk = tree.snapshotNodes();
    const seen: string[] = [];
    for (let step = walk.next(); !step.done; step = walk.next()) {
      seen.push(step.value.path);
      if (step.value.path !== "/a2") continue;
      // /a2's children are stacked now; two of them go, and their slots take other nodes.
      tree.deleteNode("/a2/b1", 100n);
      tree.deleteNode("/a2/b3", 101n);
      tree.createNode("/a0/late", Buffer.from("late"), OPEN_ACL, 0n, 0, 102n, 2n);
      tree.createNode("/a3/late", Buffer.from("late"), OPEN_ACL, 0n, 0, 103n, 2n);
      tree.deleteNode("/a2/b2", 104n);
      tree.createNode("/a2/b2", Buffer.from("again"), OPEN_ACL, 0n, 0, 105n, 2n);
    }
    expect(seen.filter((p) => p.startsWith("/a2"))).toEqual(["/a2", "/a2/b0", "/a2/b2"]);
    // Under a parent not reached yet, a node made meanwhile is taken; under one passed, it is not.
    expect(seen).toContain("/a3/late");
    expect(seen).not.toContain("/a0/late");
    expect(new Set(seen).size).toBe(seen.length);
    const recreated = [...tree.snapshotNodes()].find((n) => n.path === "/a2/b2")!;
    expect(recreated.data?.toString()).toBe("again");
  });
});
