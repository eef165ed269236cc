import { createHash } from "node:crypto";
import { Perms, type ACL } from "@zkts/jute";

/** The id the digest scheme stores for user:password: user:base64(sha1("user:password")). */
export function digestId(user: string, password: string): string {
  const hash = createHash("sha1").update(`${user}:${password}`, "utf8").digest("base64");
  return `${user}:${hash}`;
}

/** An ACL entry granting `perms` to a digest user. */
export function digestAcl(user: string, password: string, perms: number = Perms.ALL): ACL {
  return { perms, id: { scheme: "digest", id: digestId(user, password) } };
}
