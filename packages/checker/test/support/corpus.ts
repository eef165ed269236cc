// Locates ../shared/corpus beside the repository root, wherever the repository is cloned.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const corpusDir = join(repoRoot, "..", "shared", "corpus");

export function readCorpus(...parts: string[]): string {
  return readFileSync(join(corpusDir, ...parts), "utf8");
}
