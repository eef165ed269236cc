import type { ServerKind } from "@zkts/testkit";

/**
 * Which servers the integration suites run against: both by default. While one side is
 * unavailable during development, ZKTS_TEST_TARGETS=reference (or zkts) narrows the run.
 */
export const targets: ServerKind[] = (process.env.ZKTS_TEST_TARGETS ?? "reference,zkts")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is ServerKind => s === "reference" || s === "zkts");
