/**
 * ZooKeeper's path rules (PathUtils.validatePath): absolute, no trailing slash except the root,
 * no empty, "." or ".." segments, no NUL and none of the reserved character ranges.
 * Returns the reason a path is invalid, or null when it is valid.
 */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return "path length must be > 0";
  if (path.charCodeAt(0) !== 0x2f) return "path must start with / character";
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return "path must not end with / character";
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if ((c > 0x0000 && c <= 0x001f) || (c >= 0x007f && c <= 0x009f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

export function isValidPath(path: string): boolean {
  return pathProblem(path) === null;
}

/** The parent of an absolute path; "/" for top-level nodes. The root has no parent. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.substring(0, slash);
}

export function baseName(path: string): string {
  return path.substring(path.lastIndexOf("/") + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}

/** The path and each of its ancestors up to the root, nearest first. */
export function* selfAndAncestors(path: string): Generator<string> {
  let p = path;
  yield p;
  while (p !== "/") {
    p = parentPath(p);
    yield p;
  }
}
