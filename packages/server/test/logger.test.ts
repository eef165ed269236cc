import { describe, expect, it } from "vitest";
import { isLogLevel, jsonLogger } from "../src/logger.js";

describe("jsonLogger", () => {
  it("writes an error field with its message, code, stack and cause", () => {
    const lines: string[] = [];
    const logger = jsonLogger((line) => lines.push(line), "info");
    const cause = new Error("disk gone");
    const err = Object.assign(new Error("snapshot failed", { cause }), { code: "EIO" });
    logger.log("error", "snapshot failed", { err });
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "error", message: "snapshot failed", err: { message: "snapshot failed", code: "EIO" } });
    expect(line.err.stack).toContain("logger.test.ts");
    expect(line.err.cause.message).toBe("disk gone");
    expect(line.err.cause.stack).toContain("Error: disk gone");
  });

  it("drops lines below its level; only the four levels are levels", () => {
    const lines: string[] = [];
    const logger = jsonLogger((line) => lines.push(line), "warn");
    logger.log("info", "quiet");
    logger.log("warn", "loud");
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(["loud"]);
    expect(["debug", "info", "warn", "error"].every(isLogLevel)).toBe(true);
    expect(isLogLevel("verbose")).toBe(false);
  });
});
