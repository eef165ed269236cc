// The Jepsen etcd corpus: 102 histories whose verdicts were established by other checkers.
import { describe, expect, it } from "vitest";
import { casRegister, checkOperations, parseEvents, parseHistory, toJsonLines } from "../src/index.js";
import { readCorpus } from "./support/corpus.js";

const expected = readCorpus("jepsen-etcd", "EXPECTED.txt")
  .trim()
  .split("\n")
  .map((line) => line.trim().split(/\s+/) as [string, string]);

describe("jepsen-etcd corpus", () => {
  it("lists 102 histories, 23 linearizable and 79 not", () => {
    expect(expected).toHaveLength(102);
    expect(expected.filter(([, verdict]) => verdict === "linearizable")).toHaveLength(23);
  });

  it.each(expected)("%s is %s", (file, verdict) => {
    const history = parseHistory(readCorpus("jepsen-etcd", file), "jepsen-log");
    expect(history.operations.length).toBeGreaterThan(0);
    const result = checkOperations(casRegister(), history.operations);
    expect(result.verdict).toBe(verdict);
    if (verdict === "not-linearizable") {
      // The report's failure point is consistent: the blocking op is not in the prefix.
      const failure = result.partitions[0]!.failure!;
      expect(failure.prefix).not.toContain(failure.blocking);
      expect(failure.states).toHaveLength(failure.prefix.length);
    }
  });

  it("gives the same verdicts after a round trip through the JSON Lines format", () => {
    for (const [file, verdict] of expected.slice(0, 20)) {
      const events = parseEvents(readCorpus("jepsen-etcd", file), "jepsen-log");
      const history = parseHistory(toJsonLines(events), "jsonl");
      expect(checkOperations(casRegister(), history.operations).verdict).toBe(verdict);
    }
  });
});
