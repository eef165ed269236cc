// History formats: EDN, Jepsen logs, Jepsen EDN maps, JSON Lines, and event pairing.
import { describe, expect, it } from "vitest";
import {
  detectFormat,
  HistoryError,
  pairEvents,
  parseHistory,
  parseJepsenEdn,
  parseJepsenLog,
  parseJsonLines,
  readEdn,
  readEdnAll,
  toJsonLines,
  type HistoryEvent,
} from "../src/index.js";

describe("EDN reader", () => {
  it("reads Jepsen's values", () => {
    expect(readEdn('{:process 3, :type :ok, :f :cas, :value [1 2], :key "k"}')).toEqual({ process: 3, type: "ok", f: "cas", value: [1, 2], key: "k" });
    expect(readEdn("(1 2.5 -3 4N nil true false)")).toEqual([1, 2.5, -3, 4, null, true, false]);
    expect(readEdn('#{1 "a\\n" \\b}')).toEqual([1, "a\n", "b"]);
    expect(readEdn("#jepsen.history.Op{:index 1, :time 10}")).toEqual({ index: 1, time: 10 });
    expect(readEdnAll("; comment\n1 #_ 2 3")).toEqual([1, 3]);
  });

  it("rejects broken input", () => {
    expect(() => readEdn("[1 2")).toThrow(HistoryError);
    expect(() => readEdn('"abc')).toThrow(HistoryError);
  });
});

describe("Jepsen log", () => {
  const log = [
    "INFO  jepsen.util - 0\t:invoke\t:write\t3",
    "INFO  jepsen.util - 1   :invoke :read   nil", // spaces instead of tabs, as in some corpus files
    "INFO  jepsen.util - :nemesis\t:info\t:start\tnil",
    "INFO  jepsen.core - something else",
    "INFO  jepsen.util - 0\t:ok\t:write\t3",
    "INFO  jepsen.util - 1\t:fail\t:read\t:timed-out",
    "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]",
    "INFO  jepsen.util - 2\t:info\t:cas\t:timed-out",
  ].join("\n");

  it("parses client lines with tabs or spaces and skips the rest", () => {
    const events = parseJepsenLog(log);
    expect(events.map((e) => `${e.process} ${e.type} ${e.f}`)).toEqual([
      "0 invoke write",
      "1 invoke read",
      "0 ok write",
      "1 info read",
      "2 invoke cas",
      "2 info cas",
    ]);
    expect(events[4]!.value).toEqual([3, 4]);
  });

  it("turns a timed-out read into an unknown read and an info into an open interval", () => {
    const history = parseHistory(log, "jepsen-log");
    const [write, read, cas] = history.operations;
    // Without times, the position among client events stands in for the time.
    expect(write).toMatchObject({ status: "ok", call: 0, ret: 2, input: 3, output: 3 });
    expect(read).toMatchObject({ status: "unknown", ret: Infinity });
    expect(cas).toMatchObject({ status: "unknown", ret: Infinity, input: [3, 4] });
  });
});

describe("Jepsen EDN", () => {
  it("reads one map per line and leaves the nemesis out", () => {
    const text = [
      '{:process 0, :type :invoke, :f :get, :key "7", :value nil}',
      "{:process :nemesis, :type :info, :f :start, :value nil}",
      '{:process 0, :type :ok, :f :get, :key "7", :value ""}',
    ].join("\n");
    expect(detectFormat(text)).toBe("jepsen-edn");
    const events = parseJepsenEdn(text);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ process: 0, type: "ok", f: "get", key: "7", value: "" });
  });

  it("reads a vector of maps with times, and splits independent [key value] tuples", () => {
    const text = "[{:process 0 :type :invoke :f :write :value [:a 1] :time 5} {:process 0 :type :ok :f :write :value [:a 1] :time 9}]";
    const events = parseJepsenEdn(text, { independent: true });
    expect(events[0]).toMatchObject({ key: "a", value: 1, time: 5 });
    expect(pairEvents(events).operations[0]).toMatchObject({ call: 5, ret: 9, key: "a", input: 1, output: 1 });
  });
});

describe("JSON Lines", () => {
  it("round-trips events and keeps unknown fields as metadata", () => {
    const events: HistoryEvent[] = [
      { process: 0, type: "invoke", f: "write", key: "/a", value: 1, time: 10 },
      { process: 0, type: "ok", f: "write", key: "/a", value: 1, time: 20, metadata: { zxid: "0x100000002" } },
    ];
    const text = toJsonLines(events);
    expect(detectFormat(text)).toBe("jsonl");
    expect(parseJsonLines(text)).toEqual(events);
    expect(parseJsonLines('{"process":1,"type":"invoke","f":"read","session":"0xabc"}')[0]!.metadata).toEqual({ session: "0xabc" });
  });

  it("rebases nanosecond times beyond 2^53 given as strings", () => {
    const text = [
      '{"process":0,"type":"invoke","f":"read","time":"1764000000000000001"}',
      '{"process":0,"type":"ok","f":"read","value":null,"time":"1764000000000000003"}',
    ].join("\n");
    expect(parseJsonLines(text).map((e) => e.time)).toEqual([0, 2]);
  });

  it("names the line of a malformed event", () => {
    expect(() => parseJsonLines('{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"done","f":"read"}')).toThrow(/line 2/);
  });
});

describe("pairing events", () => {
  it("matches completions per process and leaves unfinished invokes open", () => {
    const history = pairEvents([
      { process: 0, type: "invoke", f: "write", value: 1 },
      { process: 1, type: "invoke", f: "write", value: 2 },
      { process: 0, type: "fail", f: "write", value: 1 },
    ]);
    expect(history.operations.map((op) => [op.status, op.call, op.ret])).toEqual([
      ["fail", 0, 2],
      ["unknown", 1, Infinity],
    ]);
  });

  it("rejects a completion without an invoke and mixed timed and untimed events", () => {
    expect(() => pairEvents([{ process: 0, type: "ok", f: "read", value: 1 }])).toThrow(HistoryError);
    expect(() =>
      pairEvents([
        { process: 0, type: "invoke", f: "read", value: null, time: 1 },
        { process: 0, type: "ok", f: "read", value: 1 },
      ]),
    ).toThrow(HistoryError);
  });

  it("warns when a process invokes again after an info", () => {
    const history = pairEvents([
      { process: 0, type: "invoke", f: "write", value: 1 },
      { process: 0, type: "info", f: "write", value: null },
      { process: 0, type: "invoke", f: "write", value: 2 },
    ]);
    expect(history.warnings).toHaveLength(1);
    expect(history.operations[0]!.status).toBe("unknown");
  });
});
