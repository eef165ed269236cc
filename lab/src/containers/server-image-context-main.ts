#!/usr/bin/env node
import { stageServerImageContext } from "./server-image.js";

/** `node server-image-context-main.js DIR`: stages deploy/docker/Dockerfile's context in DIR (deploy/docker/build.sh). */
const [context] = process.argv.slice(2);
if (context === undefined) {
  process.stderr.write("usage: server-image-context-main.js CONTEXT_DIR\n");
  process.exit(2);
}
await stageServerImageContext(context);
