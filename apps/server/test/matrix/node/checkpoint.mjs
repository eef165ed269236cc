// The ensemble column's pause in the middle of a program: with MATRIX_CHECKPOINT set, print
// "checkpoint", wait until the harness (having killed the leader and seen a new one serve)
// creates that file, then until every `connected()` holds, since a call made while the client
// reconnects may fail with connection loss, which is timing, not server behaviour. Without the
// variable (standalone column) it returns at once.
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 50;
const WAIT_MS_MAX = 60_000;

export async function checkpoint(...connected) {
  const file = process.env.MATRIX_CHECKPOINT;
  if (file === undefined) return;
  console.log("checkpoint");
  for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
    if (existsSync(file) && connected.every((isConnected) => isConnected())) return;
    await sleep(POLL_MS);
  }
  throw new Error("not connected again within 60 s of the checkpoint");
}
