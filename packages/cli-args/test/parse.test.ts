import { describe, expect, it } from "vitest";
import { helpText, integerValue, numberValue, packageVersion, parseCommand, UsageError, type CommandSpec } from "../src/index.js";

const spec = {
  name: "demo",
  version: "1.2.3",
  synopsis: ["demo [options] [cmd args...]"],
  summary: "Does a demonstration.",
  options: {
    server: { type: "string", value: "HOST:PORT", description: "where to connect", aliases: ["server"] },
    readonly: { type: "boolean", short: "r", description: "allow read-only servers" },
    auth: { type: "string", multiple: true, value: "SCHEME:CRED", description: "credentials;\nrepeatable" },
  },
  positionals: { min: 0, max: 5 },
  stopAtFirstPositional: true,
  epilogue: "Exit status: 0 ok.",
} as const satisfies CommandSpec;

describe("parseCommand", () => {
  it("answers --help and -h on stdout with status 0, listing every option", () => {
    for (const flag of ["--help", "-h"]) {
      const outcome = parseCommand(spec, ["-server", "x:1", flag]);
      expect(outcome).toMatchObject({ kind: "exit", code: 0, stream: "stdout" });
      const text = (outcome as { text: string }).text;
      expect(text).toBe(helpText(spec));
      for (const word of ["usage: demo", "--server HOST:PORT", "-server HOST:PORT", "-r, --readonly", "--auth", "--help", "--version", "Exit status"]) {
        expect(text).toContain(word);
      }
    }
  });

  it("answers --version with the name and version", () => {
    expect(parseCommand(spec, ["--version"])).toEqual({ kind: "exit", code: 0, stream: "stdout", text: "demo 1.2.3\n" });
  });

  it("refuses unknown options with status 2 on stderr", () => {
    const outcome = parseCommand(spec, ["--frobnicate"]);
    expect(outcome).toMatchObject({ kind: "exit", code: 2, stream: "stderr" });
    expect((outcome as { text: string }).text).toMatch(/^demo: unknown option '--frobnicate'\nusage: demo/);
    expect(parseCommand({ ...spec, usageExitCode: 3 }, ["-x"])).toMatchObject({ code: 3 });
  });

  it("stops at the first positional when asked, so the command's own flags pass through", () => {
    const outcome = parseCommand(spec, ["-server", "h:1", "-r", "--auth", "a:b", "--auth", "c:d", "ls", "-s", "--help", "/"]);
    expect(outcome).toEqual({
      kind: "run",
      values: { server: "h:1", readonly: true, auth: ["a:b", "c:d"] },
      positionals: [],
      rest: ["ls", "-s", "--help", "/"],
    });
    expect(parseCommand(spec, ["--", "-weird"])).toMatchObject({ kind: "run", rest: ["-weird"] });
  });

  it("counts positionals", () => {
    const two = { ...spec, stopAtFirstPositional: false, positionals: { min: 1, max: 2 } };
    expect(parseCommand(two, [])).toMatchObject({ kind: "exit", code: 2 });
    expect(parseCommand(two, ["a", "b", "c"])).toMatchObject({ kind: "exit", code: 2, text: expect.stringContaining("unexpected argument 'c'") });
    expect(parseCommand(two, ["a", "-r", "b"])).toMatchObject({ kind: "run", positionals: ["a", "b"], values: { readonly: true } });
  });
});

describe("values", () => {
  it("parses integers and numbers with the option named in errors", () => {
    expect(integerValue("8", "--clients", 1, { min: 1 })).toBe(8);
    expect(integerValue(undefined, "--clients", 1)).toBe(1);
    expect(() => integerValue("8x", "--clients", 1)).toThrow(UsageError);
    expect(() => integerValue("0", "--clients", 1, { min: 1 })).toThrow(/at least 1/);
    expect(numberValue("0.5", "--read-ratio", 0, { min: 0, max: 1 })).toBe(0.5);
    expect(() => numberValue("2", "--read-ratio", 0, { max: 1 })).toThrow(/at most 1/);
  });

  it("reads the version of the package a module belongs to", () => {
    expect(packageVersion(import.meta.url)).toBe("0.2.0");
  });
});
