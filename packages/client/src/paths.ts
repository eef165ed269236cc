/**
 * Path rules of ZooKeeper's PathUtils, checked before a request leaves the client so that a
 * bad path fails fast with BADARGUMENTS-like clarity instead of a server round trip.
 */
export function validatePath(path: string, sequential = false): void {
  if (typeof path !== "string" || path.length === 0) throw new Error("path must be a non-empty string");
  if (path[0] !== "/") throw new Error(`path "${path}" must start with /`);
  if (path.length === 1) {
    if (sequential) return;
    return;
  }
  if (path.endsWith("/") && !sequential) throw new Error(`path "${path}" must not end with /`);
  const segments = path.slice(1).split("/");
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === "" && !(last && sequential)) throw new Error(`path "${path}" has an empty segment`);
    if (seg === "." || seg === "..") throw new Error(`path "${path}" has a relative segment`);
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0 || (c > 0 && c < 0x20) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      throw new Error(`path "${path}" has an invalid character at ${i}`);
    }
  }
}

/** Maps caller paths to server paths and back for a chroot ("" for none). */
export class Chroot {
  constructor(readonly prefix: string) {}

  toServer(path: string): string {
    if (this.prefix === "") return path;
    return path === "/" ? this.prefix : this.prefix + path;
  }

  /** Strips the chroot; paths outside it (e.g. /zookeeper/config) are returned unchanged. */
  toClient(path: string): string {
    if (this.prefix === "") return path;
    if (path === this.prefix) return "/";
    if (path.startsWith(this.prefix + "/")) return path.slice(this.prefix.length);
    return path;
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function joinPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}
