// The text summary, the HTML page and the zkts-check command, run in-process.
import { describe, expect, it } from "vitest";
import {
  casRegister,
  checkOperations,
  EXIT,
  failureDetailHtml,
  htmlReport,
  parseArgs,
  parseDuration,
  parseHistory,
  runCli,
  textSummary,
  toJsonLines,
  type CliEnvironment,
  type HistoryEvent,
} from "../src/index.js";
import { readCorpus } from "./support/corpus.js";

const staleRead: HistoryEvent[] = [
  { process: 0, type: "invoke", f: "write", key: "/a", value: 1, time: 0 },
  { process: 0, type: "ok", f: "write", key: "/a", value: 1, time: 10 },
  { process: 1, type: "invoke", f: "read", key: "/a", value: null, time: 20 },
  { process: 1, type: "ok", f: "read", key: "/a", value: null, time: 30 },
  { process: 2, type: "invoke", f: "write", key: "/b", value: "<x>", time: 5 },
  { process: 2, type: "ok", f: "write", key: "/b", value: "<x>", time: 6 },
];

function fakeEnv(files: Record<string, string>): CliEnvironment & { stdout: string; stderr: string; written: Record<string, string> } {
  let now = 0;
  const env = {
    stdout: "",
    stderr: "",
    written: {} as Record<string, string>,
    readFile: (path: string) => {
      if (!(path in files)) throw new Error(`ENOENT: ${path}`);
      return files[path]!;
    },
    writeFile: (path: string, text: string) => void (env.written[path] = text),
    clock: () => (now += 1),
    out: (text: string) => void (env.stdout += text),
    err: (text: string) => void (env.stderr += text),
  };
  return env;
}

describe("reports", () => {
  const result = checkOperations(casRegister(), parseHistory(toJsonLines(staleRead)).operations);

  it("summarises the failure point in text", () => {
    const text = textSummary(result);
    expect(text).toMatch(/^verdict: NOT linearizable/);
    expect(text).toContain('key "/a": not-linearizable');
    expect(text).toContain("cannot place: op 1 (process 1) read → nil [20, 30]");
    expect(text).toContain("model state there: 1");
  });

  it("renders a self-contained page with the prefix, the blocking op and escaped values", () => {
    const html = htmlReport(result, { title: "stale <read>" });
    expect(html).toContain("<title>stale &#60;read&#62;</title>");
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('class="op blocking"');
    expect(html).toContain('class="op prefix"');
    expect(html).toContain("Longest linearizable prefix (1 ops)");
    expect(html).toContain("write &#34;&#60;x&#62;&#34;"); // the value <x> of key /b, escaped
    // One timeline row label per process of the failing key.
    expect(html.match(/process 0<\/text>/g)).toHaveLength(1);
  });

  it("lists only the end of a long prefix when asked", () => {
    // Three writes in a row, then a read of the first value: the prefix holds the three writes.
    const events: HistoryEvent[] = [1, 2, 3].flatMap((v) => [
      { process: 0, type: "invoke" as const, f: "write", value: v, time: v * 10 },
      { process: 0, type: "ok" as const, f: "write", value: v, time: v * 10 + 1 },
    ]);
    events.push({ process: 1, type: "invoke", f: "read", value: null, time: 40 }, { process: 1, type: "ok", f: "read", value: 1, time: 41 });
    const failing = checkOperations(casRegister(), parseHistory(toJsonLines(events)).operations).partitions[0]!;
    const tail = failureDetailHtml(casRegister(), failing, { prefixTail: 1 });
    expect(tail).toContain("Longest linearizable prefix (3 ops)");
    expect(tail).toContain('<ol start="2"><li class="initial">… 2 earlier op(s)</li><li>op 2 (process 0) write 3');
    expect(tail.match(/<li>op /g)).toHaveLength(1);
    expect(failureDetailHtml(casRegister(), failing).match(/<li>op /g)).toHaveLength(3);
  });
});

describe("zkts-check", () => {
  it("parses durations and options", () => {
    expect(parseDuration("60s")).toBe(60_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("3")).toBe(3000);
    expect(parseArgs(["--format", "kv", "h.txt"])).toMatchObject({ model: "kv", format: "kv", file: "h.txt", partition: true });
    expect(parseArgs(["--model=zk-register", "--timeout=5s", "--no-partition", "h"])).toMatchObject({
      model: "zk-register",
      timeoutMs: 5000,
      partition: false,
    });
    expect(parseArgs(["--model", "nope", "h"])).toMatchObject({ kind: "exit", code: 3, text: expect.stringContaining("unknown model nope") });
  });

  it("prints help on stdout with status 0, its version, and refuses unknown options with status 3", () => {
    const env = fakeEnv({});
    expect(runCli(["--help"], { ...env, version: "9.9.9" })).toBe(0);
    for (const option of ["--model", "--format", "--timeout", "--html", "--no-partition", "--workload", "--version", "Exit status"])
      expect(env.stdout).toContain(option);
    expect(runCli(["--version"], { ...env, version: "9.9.9" })).toBe(0);
    expect(env.stdout).toContain("zkts-check 9.9.9\n");
    expect(env.stderr).toBe("");
    expect(runCli(["--frobnicate", "h"], env)).toBe(EXIT.usage);
    expect(env.stderr).toContain("unknown option '--frobnicate'");
  });

  it("exits 1 with a summary and writes the HTML report for a bad history", () => {
    const env = fakeEnv({ "h.jsonl": toJsonLines(staleRead) });
    expect(runCli(["--model", "register", "--html", "out.html", "h.jsonl"], env)).toBe(EXIT["not-linearizable"]);
    expect(env.stdout).toContain("verdict: NOT linearizable");
    expect(env.written["out.html"]).toContain("<!doctype html>");
  });

  it("exits 0 on a linearizable etcd history and 1 on a bad one", () => {
    const env = fakeEnv({ good: readCorpus("jepsen-etcd", "etcd_002.log"), bad: readCorpus("jepsen-etcd", "etcd_000.log") });
    expect(runCli(["--format", "jepsen-log", "good"], env)).toBe(0);
    expect(runCli(["bad"], env)).toBe(1);
  });

  it("exits 2 when the time limit stops the search", () => {
    // Thirty concurrent writes and a read of a value none wrote: the search is wide.
    const events: HistoryEvent[] = [];
    for (let p = 0; p < 30; p++) events.push({ process: p, type: "invoke", f: "write", value: p, time: 0 });
    for (let p = 0; p < 30; p++) events.push({ process: p, type: "ok", f: "write", value: p, time: 100 });
    events.push({ process: 99, type: "invoke", f: "read", value: null, time: 101 }, { process: 99, type: "ok", f: "read", value: 777, time: 102 });
    const env = fakeEnv({ h: toJsonLines(events) });
    expect(runCli(["--timeout", "20ms", "h"], env)).toBe(EXIT.unknown);
    expect(env.stdout).toContain("verdict: unknown (time limit reached)");
  });

  it("runs a workload checker", () => {
    const events: HistoryEvent[] = [
      { process: 0, type: "invoke", f: "generate", value: null },
      { process: 0, type: "ok", f: "generate", value: "/n-1" },
      { process: 1, type: "invoke", f: "generate", value: null },
      { process: 1, type: "ok", f: "generate", value: "/n-1" },
    ];
    const env = fakeEnv({ ids: toJsonLines(events) });
    expect(runCli(["--workload", "unique-ids", "ids"], env)).toBe(1);
    expect(env.stdout).toContain("unique-ids: INVALID");
  });

  it("exits 3 when the history has an op the model does not know", () => {
    const events: HistoryEvent[] = [
      { process: 0, type: "invoke", f: "enqueue", value: 1 },
      { process: 0, type: "ok", f: "enqueue", value: 1 },
    ];
    const env = fakeEnv({ h: toJsonLines(events) });
    expect(runCli(["--model", "cas-register", "h"], env)).toBe(EXIT.usage);
    expect(env.stderr).toContain('no operation "enqueue"');
  });

  it("exits 3 on bad usage or an unreadable file", () => {
    const env = fakeEnv({});
    expect(runCli([], env)).toBe(EXIT.usage);
    expect(env.stderr).toContain("usage: zkts-check");
    expect(runCli(["missing"], env)).toBe(EXIT.usage);
    expect(env.stderr).toContain("ENOENT");
  });
});
