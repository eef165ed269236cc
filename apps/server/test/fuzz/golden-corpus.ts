import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@zkts/testkit";
import { FUZZ_ROOT } from "./requests.js";

/** Client-to-server frames captured from real ZooKeeper sessions (packages/jute/test/golden). */
export interface GoldenCorpus {
  /** ConnectRequest payloads. */
  connects: Buffer[];
  /** Request payloads (RequestHeader and record), with every path moved under /fuzz. */
  requests: Buffer[];
}

interface GoldenFile {
  connections: { frames: { dir: string; kind?: string; hex: string }[] }[];
}

export function loadGoldenCorpus(): GoldenCorpus {
  const dir = join(repoRoot, "packages/jute/test/golden");
  const corpus: GoldenCorpus = { connects: [], requests: [] };
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const file = JSON.parse(readFileSync(join(dir, name), "utf8")) as GoldenFile;
    for (const connection of file.connections) {
      for (const f of connection.frames) {
        if (f.dir !== "c2s") continue;
        const payload = Buffer.from(f.hex, "hex");
        if (f.kind === "connect") corpus.connects.push(payload);
        else corpus.requests.push(underFuzzRoot(payload));
      }
    }
  }
  return corpus;
}

/**
 * Rewrites every string that looks like an absolute path (an int32 length then "/" and
 * printable bytes) to the same path under /fuzz, fixing its length, so replayed and mutated
 * traffic writes where the test allows it to.
 */
export function underFuzzRoot(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let copied = 0;
  for (let i = 0; i + 5 <= payload.length;) {
    const length = payload.readInt32BE(i);
    if (length >= 1 && length <= 4096 && i + 4 + length <= payload.length && payload[i + 4] === 0x2f && printable(payload, i + 4, length)) {
      const path = payload.toString("latin1", i + 4, i + 4 + length);
      const moved = Buffer.from(path === "/" ? FUZZ_ROOT : `${FUZZ_ROOT}${path}`, "latin1");
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(moved.length);
      parts.push(payload.subarray(copied, i), prefix, moved);
      i += 4 + length;
      copied = i;
    } else {
      i++;
    }
  }
  parts.push(payload.subarray(copied));
  return Buffer.concat(parts);
}

function printable(buf: Buffer, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (buf[i]! < 0x20 || buf[i]! > 0x7e) return false;
  return true;
}
