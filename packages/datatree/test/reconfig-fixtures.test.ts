/**
 * Replays the reconfig answers recorded from a real ZooKeeper 3.8 ensemble
 * (fixtures/reconfig-zookeeper-3.8.json, written by reconfig-reference.test.ts with
 * ZKTS_RECORD_RECONFIG=1) through zkts's Preparer: same configuration before, same request,
 * same zxid, so the same error code, or the same reply text, stat and node data.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONFIG_PATH, parseEnsembleConfig, renderEnsembleConfig } from "../src/index.js";
import { type ReconfigRecording, statOf, treeWithConfig, zktsAnswer } from "./reconfig-replay.js";

const here = dirname(fileURLToPath(import.meta.url));
const recording = JSON.parse(readFileSync(join(here, "fixtures/reconfig-zookeeper-3.8.json"), "utf8")) as ReconfigRecording;

describe("recorded ZooKeeper 3.8 reconfig answers", () => {
  it("the initial configuration renders back to the same text, in a node with ZooKeeper's stat", () => {
    const { data, stat } = recording.initial;
    expect(renderEnsembleConfig(parseEnsembleConfig(data))).toBe(data);
    const tree = treeWithConfig(data, "", BigInt(stat.mtime));
    expect(statOf(tree.statNode(CONFIG_PATH, null)!)).toEqual(stat);
  });

  for (const step of recording.steps) {
    it(step.name, () => {
      expect(zktsAnswer(recording, step)).toEqual(step.answer);
    });
  }
});
