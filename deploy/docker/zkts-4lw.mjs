#!/usr/bin/env node
// zkts-4lw WORD [EXPECTED]: sends a four-letter word to this container's own client port and
// prints the answer; with EXPECTED, exits 0 only when the answer is exactly that (the image's
// HEALTHCHECK runs `zkts-4lw ruok imok`, Kubernetes probes `zkts-4lw isro rw`). Node is the
// one program every base image of zkts holds, so the probe needs no nc or bash.
//
// The port is ZOO_CLIENT_PORT when set, else the clientPort of $ZOO_CONF_DIR/zoo.cfg (the one
// the server reads, generated or mounted), else 2181.
import { readFileSync } from "node:fs";
import { connect } from "node:net";

const TIMEOUT_MS = 3000;
const [word, expected] = process.argv.slice(2);
if (word === undefined || !/^[a-z]{4}$/.test(word)) {
  process.stderr.write("usage: zkts-4lw WORD [EXPECTED]\n");
  process.exit(2);
}

function clientPort() {
  if (process.env.ZOO_CLIENT_PORT) return Number(process.env.ZOO_CLIENT_PORT);
  const config = `${process.env.ZOO_CONF_DIR || "/conf"}/zoo.cfg`;
  try {
    const line = readFileSync(config, "utf8")
      .split("\n")
      .find((l) => /^\s*clientPort\s*=/.test(l));
    if (line !== undefined) return Number(line.split("=")[1].trim());
  } catch {
    // No readable zoo.cfg: the server's own default.
  }
  return 2181;
}

const socket = connect({ host: "127.0.0.1", port: clientPort() });
let answer = "";
socket.setTimeout(TIMEOUT_MS, () => fail(`no answer to ${word} within ${TIMEOUT_MS} ms`));
socket.on("connect", () => socket.end(word));
socket.on("data", (chunk) => (answer += chunk.toString("utf8")));
socket.on("error", (err) => fail(err.message));
socket.on("close", () => {
  process.stdout.write(answer.endsWith("\n") || answer === "" ? answer : `${answer}\n`);
  if (expected !== undefined && answer.trim() !== expected) fail(`expected ${expected}`);
  process.exit(0);
});

function fail(reason) {
  process.stderr.write(`zkts-4lw ${word}: ${reason}\n`);
  process.exit(1);
}
