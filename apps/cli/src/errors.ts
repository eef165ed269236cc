import { ZkError } from "@zkts/client";
import { UsageError } from "./commands.js";

/** Exit status: 1 for a ZooKeeper error, 2 for a usage error, 3 for anything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof ZkError || (err as { codeName?: string })?.codeName !== undefined) return 1;
  return 3;
}

export function describeError(err: unknown): { message: string; codeName?: string; code?: number } {
  if (err instanceof ZkError) return { message: err.message, codeName: err.codeName, code: err.code };
  const e = err as { message?: string; codeName?: string; code?: number };
  if (e?.codeName !== undefined) return { message: e.message ?? String(err), codeName: e.codeName, code: e.code };
  return { message: (err as Error)?.message ?? String(err) };
}

export function errorLine(err: unknown): string {
  const d = describeError(err);
  return d.codeName === undefined ? `Error: ${d.message}` : `Error ${d.codeName}: ${d.message}`;
}
