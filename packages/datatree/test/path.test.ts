import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baseName, isValidPath, joinPath, parentPath, pathProblem, selfAndAncestors } from "../src/index.js";
import { testSeed } from "./support.js";

// The rules of ZooKeeper's PathUtils.validatePath, one case per rule; the messages carry the
// offending index the way ZooKeeper's do, which the server logs.
describe("pathProblem (PathUtils.validatePath)", () => {
  it("accepts the root and ordinary absolute paths", () => {
    for (const p of ["/", "/a", "/a/b/c", "/zookeeper/quota", "/with space", "/ünïcode", "/a-b_c.d"]) {
      expect(pathProblem(p), p).toBeNull();
    }
  });

  it("rejects the empty path", () => {
    expect(pathProblem("")).toBe("path length must be > 0");
  });

  it("requires a leading slash", () => {
    expect(pathProblem("a")).toBe("path must start with / character");
    expect(pathProblem("a/b")).toBe("path must start with / character");
  });

  it("rejects a trailing slash except on the root", () => {
    expect(pathProblem("/a/")).toBe("path must not end with / character");
    expect(pathProblem("//")).toBe("path must not end with / character");
  });

  it("rejects empty segments", () => {
    expect(pathProblem("//a")).toBe("empty node name specified @1");
    expect(pathProblem("/a//b")).toBe("empty node name specified @3");
  });

  it("rejects . and .. segments anywhere", () => {
    expect(pathProblem("/.")).toBe("relative paths not allowed @1");
    expect(pathProblem("/a/.")).toBe("relative paths not allowed @3");
    expect(pathProblem("/a/./b")).toBe("relative paths not allowed @3");
    expect(pathProblem("/..")).toBe("relative paths not allowed @2");
    expect(pathProblem("/a/../b")).toBe("relative paths not allowed @4");
  });

  it("allows dots inside names", () => {
    for (const p of ["/.a", "/a.", "/..a", "/a..", "/...", "/a/.b/..c", "/a.b"]) expect(pathProblem(p), p).toBeNull();
  });

  it("rejects the NUL character", () => {
    expect(pathProblem("/a\u0000b")).toBe("null character not allowed @2");
  });

  it("rejects each reserved range at both of its ends and accepts its neighbours", () => {
    const invalid = [0x0001, 0x001f, 0x007f, 0x009f, 0xd800, 0xdfff, 0xe000, 0xf8ff, 0xfff0, 0xffff];
    const valid = [0x0020, 0x007e, 0x00a0, 0xd7ff, 0xf900, 0xffef];
    for (const c of invalid) {
      expect(pathProblem(`/a${String.fromCharCode(c)}`), c.toString(16)).toBe("invalid character @2");
    }
    for (const c of valid) expect(pathProblem(`/a${String.fromCharCode(c)}`), c.toString(16)).toBeNull();
  });

  it("rejects characters outside the BMP, whose surrogates are reserved", () => {
    expect(isValidPath("/\u{1F600}")).toBe(false);
  });

  it("isValidPath agrees with pathProblem", () => {
    expect(isValidPath("/a/b")).toBe(true);
    expect(isValidPath("/a/")).toBe(false);
  });
});

describe("parentPath, baseName, joinPath, selfAndAncestors", () => {
  it("parentPath gives the root for top-level nodes and strips one segment otherwise", () => {
    expect(parentPath("/a")).toBe("/");
    expect(parentPath("/a/b")).toBe("/a");
    expect(parentPath("/a/b/c")).toBe("/a/b");
  });

  it("baseName is the last segment", () => {
    expect(baseName("/a")).toBe("a");
    expect(baseName("/a/b/c")).toBe("c");
    expect(baseName("/")).toBe("");
  });

  it("joinPath does not double the slash under the root", () => {
    expect(joinPath("/", "a")).toBe("/a");
    expect(joinPath("/a", "b")).toBe("/a/b");
    for (const p of ["/a", "/a/b", "/x/y/z"]) expect(joinPath(parentPath(p), baseName(p))).toBe(p);
  });

  it("selfAndAncestors walks from the path up to the root", () => {
    expect([...selfAndAncestors("/a/b/c")]).toEqual(["/a/b/c", "/a/b", "/a", "/"]);
    expect([...selfAndAncestors("/")]).toEqual(["/"]);
  });
});

describe("pathProblem against an independent statement of the rules", () => {
  // The rules restated per segment: absolute, no empty, "." or ".." segment (which also
  // covers a trailing slash), and no code unit in NUL or the reserved ranges.
  function reserved(c: number): boolean {
    return c === 0 || c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0;
  }
  function valid(path: string): boolean {
    if (!path.startsWith("/")) return false;
    if (path === "/") return true;
    for (let i = 0; i < path.length; i++) if (reserved(path.charCodeAt(i))) return false;
    return path
      .substring(1)
      .split("/")
      .every((s) => s !== "" && s !== "." && s !== "..");
  }

  it("agrees on random paths built from the characters that matter", () => {
    const pieces = ["/", "/", "/", ".", ".", "a", "bc", "\u0000", "\u0001", "\u001f", " ", "\u007f", "\u009f", "\u00a0"];
    const more = ["\ud800", "\udfff", "\ue000", "\uf8ff", "\uf900", "\uffef", "\ufff0", "\uffff", "é"];
    const seed = testSeed("path rules");
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces, ...more), { maxLength: 10 }), (parts) => {
        const path = parts.join("");
        expect(pathProblem(path) === null, JSON.stringify(path)).toBe(valid(path));
      }),
      { seed, numRuns: 3000 },
    );
  });
});
