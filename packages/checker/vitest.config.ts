import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The machine is shared; property and corpus tests are CPU-bound.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
