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
  if (d.codeName === undefined) return `Error: ${d.message}`;
  // ZkError's message opens with "NAME (code)"; the line already names the code.
  const message = d.message.replace(new RegExp(`^${d.codeName} \\(-?\\d+\\)( :)? ?`), "");
  return `Error ${d.codeName}: ${message === "" ? d.message : message}`;
}
