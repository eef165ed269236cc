import {
  AuthPacket,
  Xid,
  GetACLRequest,
  GetACLResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetDataRequest,
  GetDataResponse,
  OpCode,
  errorCodeName,
} from "@zkts/jute";
import { RawSession } from "../conformance/raw-session.js";

export interface DumpedNode {
  path: string;
  data: string | null;
  stat: Record<string, string | number>;
  acl: string[];
}

/**
 * Reads a whole tree through the client protocol: every path with its data, full Stat and
 * ACL, in sorted order, so two servers' trees can be compared exactly.
 */
export async function dumpTree(port: number, digestCredentials: string | null = null): Promise<DumpedNode[]> {
  const session = await RawSession.connect(port);
  if (digestCredentials !== null) {
    const reply = await session.request(OpCode.auth, (w) => AuthPacket.write(w, { type: 0, scheme: "digest", auth: Buffer.from(digestCredentials) }), Xid.auth);
    if (reply.err !== 0) throw new Error(`auth failed: ${errorCodeName.get(reply.err)}`);
  }
  const out: DumpedNode[] = [];
  const queue = ["/"];
  try {
    while (queue.length > 0) {
      const path = queue.shift()!;
      const [children, data, acl] = await Promise.all([
        session.request(OpCode.getChildren2, (w) => GetChildren2Request.write(w, { path, watch: false })),
        session.request(OpCode.getData, (w) => GetDataRequest.write(w, { path, watch: false })),
        session.request(OpCode.getACL, (w) => GetACLRequest.write(w, { path })),
      ]);
      if (children.err !== 0 || data.err !== 0 || acl.err !== 0) {
        throw new Error(`reading ${path}: ${errorCodeName.get(children.err || data.err || acl.err)}`);
      }
      const kids = GetChildren2Response.read(children.body).children.sort();
      const got = GetDataResponse.read(data.body);
      const acls = GetACLResponse.read(acl.body).acl;
      const stat: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(got.stat)) stat[k] = typeof v === "bigint" ? `0x${v.toString(16)}` : v;
      out.push({
        path,
        data: got.data === null ? null : got.data.toString("base64"),
        stat,
        acl: acls.map((a) => `${a.perms}:${a.id.scheme}:${a.id.id}`).sort(),
      });
      for (const kid of kids) queue.push(path === "/" ? `/${kid}` : `${path}/${kid}`);
    }
  } finally {
    session.drop();
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
