/**
 * The reader of server lines shared by zoo.cfg and the dynamic configuration: what each reader
 * is told about a refused line (the fault its message is worded from), and the two forms of a
 * member. The data tree's tests check the same reader against ZooKeeper's own classes.
 */
import { ErrorCode } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { EnsembleConfigError, loadProperties, memberOfSpec, parseQuorumMember, parseServerSpec, renderServerSpec, specOfMember } from "../src/index.js";

function failure(run: () => unknown): EnsembleConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof EnsembleConfigError) return e;
    throw e;
  }
  throw new Error("expected an EnsembleConfigError");
}

describe("server lines", () => {
  it("keep whether the client part names a host: the dynamic form takes the wildcard, the member leaves it to zoo.cfg", () => {
    expect(parseServerSpec(1, "a:1:2;2181").client).toEqual({ host: "0.0.0.0", port: 2181 });
    expect(parseQuorumMember(1, "a:1:2;2181")).toMatchObject({ clientHost: null, clientPort: 2181 });
    expect(parseQuorumMember(1, "a:1:2")).toMatchObject({ clientHost: null, clientPort: null });
  });

  it("refuse several addresses unless told to use the first", () => {
    expect(failure(() => parseServerSpec(1, "a:1:2|b:3:4")).code).toBe(ErrorCode.BADARGUMENTS);
    expect(parseServerSpec(1, "a:1:2 | b:3:4", { multipleAddresses: "useFirst" })).toMatchObject({ host: "a", quorumPort: 1, electionPort: 2 });
  });

  it.each([
    ["h:1", ErrorCode.BADARGUMENTS, { kind: "form" }],
    ["h:x:2", ErrorCode.BADARGUMENTS, { kind: "port", part: "quorum", text: "x" }],
    ["h:1:99999", ErrorCode.MARSHALLINGERROR, { kind: "port", part: "election", text: "99999" }],
    ["h:1:2;h:70000", ErrorCode.MARSHALLINGERROR, { kind: "port", part: "client", text: "70000" }],
    ["h:1:2:voter", ErrorCode.BADARGUMENTS, { kind: "role", text: "voter" }],
    ["h:1:1", ErrorCode.BADARGUMENTS, { kind: "other" }],
  ])("name the fault of %s", (spec, code, fault) => {
    const error = failure(() => parseServerSpec(7, spec));
    expect(error.code).toBe(code);
    expect(error.fault).toEqual(fault);
  });

  it("move between the member and the dynamic form without loss", () => {
    const spec = parseServerSpec(3, "zk3:2888:3888:observer;10.0.0.3:2181");
    const member = memberOfSpec(spec);
    expect(member).toEqual({ id: 3, host: "zk3", quorumPort: 2888, electionPort: 3888, role: "observer", clientHost: "10.0.0.3", clientPort: 2181 });
    expect(specOfMember(member)).toEqual(spec);
    expect(renderServerSpec(specOfMember({ id: 1, host: "a", quorumPort: 1, electionPort: 2, role: "participant", clientPort: 5 }))).toBe(
      "a:1:2:participant;0.0.0.0:5",
    );
  });
});

describe("properties", () => {
  it("answer a malformed \\u escape as ZooKeeper's runtime exception (MARSHALLINGERROR)", () => {
    expect(loadProperties("a = b\\\nc")).toEqual(new Map([["a", "bc"]]));
    expect(failure(() => loadProperties("a=\\u12")).code).toBe(ErrorCode.MARSHALLINGERROR);
  });
});
