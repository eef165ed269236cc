import { defineConfig } from "vitest/config";

// Each test file starts real JVMs; running files one at a time keeps a 2-core machine usable.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
