import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One temporary directory per matrix run for compiled programs (Java classes, C binaries),
 * removed by the test's afterAll: a vitest worker can end without Node's exit event.
 */
let dir: string | undefined;

export function matrixWorkDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), "zkts-matrix-"));
  return dir;
}

export function removeMatrixWorkDir(): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}
