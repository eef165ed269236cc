import { defineConfig } from "vitest/config";

// Integration suites start real servers; run files one at a time so the 2-core test machine
// is not oversubscribed and servers do not compete for ports.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
