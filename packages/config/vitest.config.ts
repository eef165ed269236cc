import { defineConfig } from "vitest/config";

// Tests that write and fsync real files, or run many seeds, outlast vitest's 5 s default on a
// busy two-core machine without being stuck.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
