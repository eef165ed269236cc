import { defineConfig } from "vitest/config";

// The suites start in-process servers and ensembles; one file at a time keeps the shared
// 2-core machine from being oversubscribed.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
