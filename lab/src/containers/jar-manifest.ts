import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The `Class-Path` of a jar's MANIFEST.MF: space-separated entries, the header wrapped at 72
 * bytes with continuation lines that start with one space (the JAR file specification).
 * Relative entries are resolved against the jar's directory.
 */
export function classPathOfManifest(manifest: string, jarPath: string): string[] {
  const unfolded = manifest.replace(/\r\n/g, "\n").replace(/\n /g, "");
  const header = /^Class-Path:[ ]?(.*)$/m.exec(unfolded)?.[1] ?? "";
  return header
    .split(" ")
    .filter((entry) => entry.length > 0)
    .map((entry) => (isAbsolute(entry) ? entry : resolve(dirname(jarPath), entry)));
}

/** Reads a jar's manifest with busybox's unzip (busybox is provisioned for the images anyway). */
async function manifestOf(jar: string): Promise<string> {
  return run("busybox", ["unzip", "-p", jar, "META-INF/MANIFEST.MF"], { maxBuffer: 1 << 22 }).then(
    (r) => r.stdout,
    () => "",
  );
}

/**
 * The jars a JVM loads for this classpath: the given jars and, transitively, the jars their
 * manifests' Class-Path names (Debian's zookeeper.jar lists its dependencies this way).
 * Entries that do not exist are skipped, as the JVM skips them.
 */
export async function classpathClosure(jars: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [...jars];
  while (pending.length > 0) {
    const jar = pending.pop()!;
    if (seen.has(jar) || !existsSync(jar)) continue;
    seen.add(jar);
    for (const next of classPathOfManifest(await manifestOf(jar), jar)) if (!seen.has(next)) pending.push(next);
  }
  return [...seen].sort();
}
