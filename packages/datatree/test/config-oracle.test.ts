/**
 * Differential test against ZooKeeper's own configuration classes and the JDK's hash tables
 * (test/oracle/ConfigOracle.java, run by the java launcher on the Debian zookeeper.jar): random
 * configurations, with ids chosen to collide in hash bins and enough members to make the tables
 * grow, must load and change to the same text, member order included, and fail where Java fails
 * with the same kind of error.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { ErrorCode } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { EnsembleConfigError, applyReconfig, inLoadedOrder, parseEnsembleConfig, parseServerSpec, renderEnsembleConfig } from "../src/index.js";
import { checkMemberCounts, readDynamicConfig } from "../src/dynamic-config.js";
import { testSeed } from "./support.js";

const here = dirname(fileURLToPath(import.meta.url));
const JAVA = "/usr/bin/java";
const CLASSPATH = ["zookeeper.jar", "slf4j-api.jar", "slf4j-nop.jar"].map((jar) => join("/usr/share/java", jar)).join(":");

type Answer = { kind: "ok"; text: string } | { kind: "config" | "runtime"; exception: string };

/** Asks the Java oracle every question in one JVM. */
function askJava(questions: string[][]): Answer[] {
  const input = questions.map((fields) => fields.map((f, i) => (i === 0 ? f : Buffer.from(f).toString("base64"))).join("\t")).join("\n");
  const run = spawnSync(JAVA, ["-cp", CLASSPATH, join(here, "oracle/ConfigOracle.java")], { input: `${input}\n`, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ConfigOracle failed: ${run.stderr}`);
  return run.stdout
    .trimEnd()
    .split("\n")
    .map((line) => {
      const [kind, value] = line.split("\t") as [string, string];
      return kind === "ok" ? { kind: "ok", text: Buffer.from(value, "base64").toString("utf8") } : { kind: kind as "config" | "runtime", exception: value };
    });
}

/** What zkts answers, in the oracle's terms. */
function answerOf(compute: () => string): Answer {
  try {
    return { kind: "ok", text: compute() };
  } catch (e) {
    if (!(e instanceof EnsembleConfigError)) throw e;
    return { kind: e.code === ErrorCode.BADARGUMENTS ? "config" : "runtime", exception: e.detail };
  }
}

/** Small ids collide in bins of small tables; 2^32+1 and 2^32 share hashes with 0 and 1. */
const arbitraryId = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(48, 64, 100, 255, 256, 1000, 65536, 4294967296, 4294967297, -1, -5));
const arbitraryHost = fc.constantFrom("127.0.0.1", "localhost", "[::1]", "10.0.0.1", "[fe80::1]", "");
const arbitraryPort = fc.integer({ min: 1, max: 65535 });
const arbitraryRole = fc.constantFrom("", ":participant", ":observer", ":OBSERVER", ":participant");
const arbitraryClient = fc.oneof(
  fc.constant(""),
  arbitraryPort.map((p) => `;${p}`),
  fc.tuple(arbitraryHost, arbitraryPort).map(([h, p]) => `;${h}:${p}`),
);

const validSpec = fc
  .tuple(arbitraryHost, arbitraryPort, arbitraryPort, arbitraryRole, arbitraryClient)
  .filter(([, q, e]) => q !== e)
  .map(([host, q, e, role, client]) => `${host}:${q}:${e}${role}${client}`);

/** Mostly valid specs; now and then one ZooKeeper refuses, in one of several ways. */
const arbitrarySpec = fc.oneof(
  { weight: 12, arbitrary: validSpec },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "127.0.0.1:abc:1;2",
      "127.0.0.1:1:2:voter;3",
      "127.0.0.1:70000:1;2",
      "127.0.0.1:1:2;99999",
      "127.0.0.1:1",
      "127.0.0.1:5:5;6",
      "a:1:2|b:3:4",
      "127.0.0.1:1:2;3;4",
      "127.0.0.1:1:2;x",
    ),
  },
);

/** A dynamic configuration text: server lines in any order, a version somewhere, Properties syntax variations. */
const arbitraryConfigText = fc
  .tuple(
    fc.uniqueArray(arbitraryId, { minLength: 1, maxLength: 20 }),
    fc.array(arbitrarySpec, { minLength: 20, maxLength: 20 }),
    fc.array(fc.constantFrom("=", " = ", ":", " "), { minLength: 20, maxLength: 20 }),
    fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([ids, specs, separators, version, versionAt, comment]) => {
    const lines = ids.map((id, i) => `server.${id}${separators[i]}${specs[i]}`);
    lines.splice(versionAt % (lines.length + 1), 0, `version=${version.toString(16)}`);
    if (comment) lines.splice(versionAt % lines.length, 0, "# a comment", "");
    return lines.join("\n");
  });

/** The text as a ZooKeeper server loads it: parsed, checked, and in its HashMap's order. */
function loaded(text: string): string {
  const config = readDynamicConfig(text, "loaded");
  checkMemberCounts(config, true);
  return renderEnsembleConfig(config);
}

describe("configuration texts, checked against ZooKeeper's classes on the JDK", () => {
  it("print IP literals and special names back as InetSocketAddress does", () => {
    // Only literals and localhost: any other name would be looked up.
    const hosts = [
      "127.1",
      "127.0.1",
      "2130706433",
      "127.000.0.1",
      "010.1.2.3",
      "255.255.255.255",
      "::ffff:1.2.3.4",
      "::1.2.3.4",
      "1::",
      "::",
      "FE80::A",
      "fe80::1%1",
      "1:2:3:4:5:6:7:8",
      "1::8",
      "::1:2:3:4:5:6:7",
      "0:0:0:0:0:ffff:a00:1",
      "LocalHost",
      "",
      "0.0.0.0",
    ];
    const expected = askJava(hosts.map((h) => ["host", h]));
    // A spec puts IPv6 literals in brackets; the client part uses the same host rules.
    const actual = hosts.map((h) => parseServerSpec(1, `h:1:2;${h.includes(":") ? `[${h}]` : h}:3`).client!.host);
    expect(actual).toEqual(expected.map((a) => (a as { text: string }).text));
  }, 60_000);

  it("load and write back the same text, or fail with the same kind of error", () => {
    const texts = fc.sample(arbitraryConfigText, { numRuns: 400, seed: testSeed("config-oracle load") });
    const expected = askJava(texts.map((t) => ["load", t]));
    texts.forEach((text, i) => {
      expect(answerOf(() => loaded(text)).kind, text).toBe(expected[i]!.kind);
      if (expected[i]!.kind === "ok") expect(loaded(text), text).toBe((expected[i] as { text: string }).text);
    });
    // The sample exercised both outcomes.
    expect(expected.filter((a) => a.kind === "ok").length).toBeGreaterThan(100);
    expect(expected.filter((a) => a.kind !== "ok").length).toBeGreaterThan(20);
  }, 60_000);

  it("inLoadedOrder gives the order a server that loads the written text holds", () => {
    const configs = fc.sample(arbitraryConfigText, { numRuns: 300, seed: testSeed("config-oracle inLoadedOrder") }).flatMap((text) => {
      try {
        return [parseEnsembleConfig(text)];
      } catch {
        return [];
      }
    });
    const expected = askJava(configs.map((c) => ["load", renderEnsembleConfig(c)]));
    configs.forEach((config, i) => {
      expect(expected[i]).toEqual({ kind: "ok", text: renderEnsembleConfig(inLoadedOrder(config)) });
    });
  }, 60_000);

  it("an incremental change keeps the members in the order of the copied HashMap", () => {
    const validText = arbitraryConfigText.filter((t) => answerOf(() => loaded(t)).kind === "ok");
    const arbitraryChange = fc.tuple(
      validText,
      fc.array(arbitraryId, { maxLength: 6 }),
      fc.array(fc.tuple(arbitraryId, validSpec, arbitraryHost, arbitraryPort), { maxLength: 8 }),
    );
    const changes = fc.sample(arbitraryChange, { numRuns: 300, seed: testSeed("config-oracle change") }).map(([text, leaving, joining]) => ({
      text,
      leaving: leaving.join(","),
      // A joiner must name its client port.
      joining: joining.map(([id, spec, host, port]) => `server.${id}=${spec.split(";")[0]};${host}:${port}`).join(","),
    }));
    const expected = askJava(changes.map((c) => ["change", c.text, c.leaving, c.joining]));
    changes.forEach((change, i) => {
      const current = readDynamicConfig(change.text, "loaded");
      const actual = answerOf(() =>
        renderEnsembleConfig(
          applyReconfig(
            current,
            { joiningServers: change.joining, leavingServers: change.leaving, newMembers: null, curConfigId: -1n },
            current.version + 1n,
            // The oracle does not count voters; neither do we here.
            { standaloneEnabled: false },
          ),
        ),
      );
      const answer = expected[i]!;
      if (answer.kind === "ok" && actual.kind !== "ok") {
        // Only the voter count, which the oracle leaves out, may refuse a change Java made.
        expect((actual as { exception: string }).exception, JSON.stringify(change)).toMatch(/at least 1 follower/);
      } else if (answer.kind === "ok") {
        expect(actual, JSON.stringify(change)).toEqual(answer);
      } else {
        expect(actual.kind, JSON.stringify(change)).toBe(answer.kind);
      }
    });
  }, 60_000);
});
