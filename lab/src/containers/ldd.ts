import { execFile } from "node:child_process";
import { normalize } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The shared libraries an `ldd` listing names by path: `name => /path (addr)` lines and the
 * loader's own `/lib64/ld-linux-x86-64.so.2 (addr)` line. The kernel's vDSO has no file and
 * libraries ldd could not find are left out (an optional GUI library of the JVM, say).
 */
export function librariesFromLdd(listing: string): string[] {
  const paths: string[] = [];
  for (const raw of listing.split("\n")) {
    const line = raw.trim();
    const arrow = /=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    const bare = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    // The JVM's launcher finds libjli.so through bin/../lib: name it by its plain path.
    if (path !== undefined) paths.push(normalize(path));
  }
  return paths;
}

/** Every library the given ELF files load, each path once, sorted. */
export async function sharedLibraries(elfFiles: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  // A few ldd runs at a time: each takes tens of milliseconds, mostly waiting on the loader.
  const batch = 8;
  for (let i = 0; i < elfFiles.length; i += batch) {
    const listings = await Promise.all(
      elfFiles.slice(i, i + batch).map((file) =>
        // ldd exits 1 for files that are not dynamic executables or libraries: nothing to add.
        run("ldd", [file]).then(
          (r) => r.stdout,
          () => "",
        ),
      ),
    );
    for (const listing of listings) for (const lib of librariesFromLdd(listing)) found.add(lib);
  }
  return [...found].sort();
}
