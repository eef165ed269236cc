import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION_STRING, ZKTS_VERSION } from "../src/index.js";

describe("the version srvr, stat and mntr report", () => {
  it("is the release's, as package.json gives it", () => {
    const release = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
    expect(ZKTS_VERSION).toBe(release);
    expect(VERSION_STRING).toMatch(new RegExp(`^3\\.8\\.0-zkts-${release.replace(/\./g, "\\.")}, built on `));
  });
});
