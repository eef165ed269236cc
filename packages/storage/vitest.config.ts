import { defineConfig } from "vitest/config";

// One file at a time: the interchange tests start JVMs, and the machine has two cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
