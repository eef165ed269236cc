import { Session } from "node:inspector";

/**
 * Runs one full garbage collection, through the inspector protocol (the public way to ask V8
 * for one without starting Node with --expose-gc).
 *
 * Recovery and snapshots pass hundreds of MB of file bytes through buffers that die at once.
 * V8 frees a dead buffer's memory only in its next major collection, which a server that has
 * just gone quiet may not run for minutes: meanwhile the process holds two or three times the
 * memory its tree needs. Called after those moments, it gives the memory back to the system.
 * Resolves false when the inspector is not available (a Node built without it).
 */
export async function collectGarbage(): Promise<boolean> {
  let session: Session;
  try {
    session = new Session();
    session.connect();
  } catch {
    return false;
  }
  try {
    return await new Promise<boolean>((resolve) => session.post("HeapProfiler.collectGarbage", (err) => resolve(err === null)));
  } finally {
    session.disconnect();
  }
}
