#!/bin/sh
":" //; exec node --initial-old-space-size=128 "$0" "$@"
// The line above is for sh, which npm's link and the container images run this file with: it
// starts node on this same file with the server's V8 flags (package.json's zkts.nodeFlags; a
// test keeps the two alike). To node that line is a string and a comment, and what follows is
// the launcher. Why the flag: a server's heap stays small while it serves at a moderate rate,
// and V8 then starts a full mark-compact every few hundred milliseconds; each pause of 5-20 ms
// delays the requests in flight. A larger initial old generation limit makes them rare. It is a
// limit, not a reservation: the heap grows only as it is used.
//
// The command itself is compiled into dist/ by the build; this launcher is in the source tree
// so that npm links it, executable, when the package is installed, before anything is built.
const entry = new URL("../dist/main.js", import.meta.url);
try {
  await import(entry.href);
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(entry.pathname)) {
    process.stderr.write("zkts-server: not built yet; run `npm run build` in the zkts checkout first\n");
    process.exit(1);
  }
  throw err;
}
