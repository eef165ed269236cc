// The kv corpus: per-key get/put/append histories with 1, 10 and 50 clients.
import { describe, expect, it } from "vitest";
import { checkOperations, kvEntry, parseHistory } from "../src/index.js";
import { readCorpus } from "./support/corpus.js";

const cases = ["c01", "c10", "c50"].flatMap((clients) => [
  [`${clients}-ok.txt`, "linearizable"],
  [`${clients}-bad.txt`, "not-linearizable"],
]) as [string, string][];

describe("kv corpus", () => {
  it.each(cases)("%s is %s when partitioned by key", (file, verdict) => {
    const history = parseHistory(readCorpus("kv", file), "kv");
    const result = checkOperations(kvEntry(), history.operations);
    expect(result.verdict).toBe(verdict);
    expect(new Set(history.operations.map((op) => op.key)).size).toBe(result.partitions.length);
    expect(result.partitions.length).toBeGreaterThan(1);
  });

  it.each([
    ["c01-ok.txt", "linearizable"],
    ["c01-bad.txt", "not-linearizable"],
  ])("%s gets the same verdict as one unpartitioned map", (file, verdict) => {
    const history = parseHistory(readCorpus("kv", file), "kv");
    const result = checkOperations(kvEntry(), history.operations, { partition: false });
    expect(result.partitions).toHaveLength(1);
    expect(result.verdict).toBe(verdict);
  });

  it("reports the failing key of c10-bad with a failure point", () => {
    const history = parseHistory(readCorpus("kv", "c10-bad.txt"), "kv");
    const result = checkOperations(kvEntry(), history.operations);
    const failing = result.partitions.filter((p) => p.verdict === "not-linearizable");
    expect(failing).toHaveLength(1);
    const failure = failing[0]!.failure!;
    expect(failure.blocking.key).toBe(failing[0]!.key);
    expect(["get", "put", "append"]).toContain(failure.blocking.f);
  });
});
