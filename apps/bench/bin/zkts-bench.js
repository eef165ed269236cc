#!/usr/bin/env node
// The command itself is compiled into dist/ by the build; this launcher is in the source tree
// so that npm links it, executable, when the package is installed, before anything is built.
const entry = new URL("../dist/main.js", import.meta.url);
try {
  await import(entry.href);
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(entry.pathname)) {
    process.stderr.write("zkts-bench: not built yet; run `npm run build` in the zkts checkout first\n");
    process.exit(1);
  }
  throw err;
}
