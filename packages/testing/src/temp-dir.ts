import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A data directory of the caller's, kept; or a fresh temporary one, removed by `dispose()`. */
export interface DataDir {
  readonly path: string;
  dispose(): Promise<void>;
}

export async function dataDirFor(given: string | undefined, prefix: string): Promise<DataDir> {
  if (given !== undefined) return { path: given, dispose: () => Promise.resolve() };
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}
