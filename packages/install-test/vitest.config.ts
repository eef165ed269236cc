import { defineConfig } from "vitest/config";

// One suite that packs, installs (third-party packages from the npm registry, @zkts/* only from
// the tarballs) and runs processes: bounded as a whole by the hook and test timeouts.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
