import { defineConfig } from "vitest/config";

// One file at a time: the machine's two cores are shared, and the simulation is CPU-bound.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
  },
});
