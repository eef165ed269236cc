/**
 * kazoo programs run with Debian's python3 against a server. They print one JSON line: the
 * state of the tree as a client sees it, to compare with what storage recovers from disk.
 */

/** Python that walks `root` and prints {path: {data, acl, czxid, mzxid, version, aversion, ephemeralOwner}}. */
const DUMP_TREE = `
import json
def acl_json(acls):
    return [{"perms": a.perms, "scheme": a.id.scheme, "id": a.id.id} for a in acls]
def dump(client, root):
    state = {}
    def walk(path):
        data, stat = client.get(path)
        acls, _ = client.get_acls(path)
        state[path] = {"data": data.decode(), "acl": acl_json(acls), "czxid": stat.czxid, "mzxid": stat.mzxid,
                       "version": stat.version, "aversion": stat.aversion, "ephemeralOwner": stat.ephemeralOwner}
        for child in sorted(client.get_children(path)):
            walk(path.rstrip("/") + "/" + child)
    walk(root)
    return state
`;

const CONNECT = `
from kazoo.client import KazooClient
def connect(hosts):
    client = KazooClient(hosts=hosts, timeout=10)
    client.start(timeout=30)
    return client
`;

/**
 * Sequential, ephemeral (from two sessions), setData, digest ACLs, setACL, multi and deletes,
 * enough txns for several snapshots and log files at snapCount=10. Prints the final tree
 * under /app, read by a fresh session after the others closed, plus the sequential names.
 */
export function referenceWorkload(connectString: string): string {
  return `
import json
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE
${CONNECT}
${DUMP_TREE}
hosts = ${JSON.stringify(connectString)}
acl = [make_digest_acl("alice", "secret", all=True)]
zk = connect(hosts)
zk.add_auth("digest", "alice:secret")
zk.create("/app", b"root-data")
zk.create("/app/secure", b"secret-data", acl=acl)
seqs = [zk.create("/app/seq-", b"s%d" % i, sequence=True) for i in range(5)]
zk.create("/app/eph", b"e", ephemeral=True)
zk.set("/app", b"updated")
zk.set_acls("/app/secure", acl + list(OPEN_ACL_UNSAFE))
t = zk.transaction()
t.create("/app/m1", b"m1")
t.create("/app/m2", b"m2")
t.set_data("/app", b"multi")
t.commit()
zk.delete("/app/m2")
for i in range(25):
    zk.create("/app/n%02d" % i, b"x" * i)
for i in range(0, 25, 3):
    zk.set("/app/n%02d" % i, b"changed")
zk.delete("/app/n24")
other = connect(hosts)
other.create("/app/eph2", b"gone", ephemeral=True)
other.create("/app/from-other", b"kept")
other.stop(); other.close()
zk.stop(); zk.close()
reader = connect(hosts)
reader.add_auth("digest", "alice:secret")
print(json.dumps({"seqs": seqs, "tree": dump(reader, "/app")}))
reader.stop(); reader.close()
`;
}

/** Reads back what the zkts-written data directory holds, authenticated as alice. */
export function readBackWorkload(connectString: string): string {
  return `
import json
${CONNECT}
${DUMP_TREE}
client = connect(${JSON.stringify(connectString)})
client.add_auth("digest", "alice:secret")
tree = dump(client, "/from-snapshot")
tree.update(dump(client, "/from-log"))
print(json.dumps({"tree": tree, "quota": client.exists("/zookeeper/quota") is not None}))
client.stop(); client.close()
`;
}

export interface ClientNode {
  data: string;
  acl: { perms: number; scheme: string; id: string }[];
  czxid: number;
  mzxid: number;
  version: number;
  aversion: number;
  ephemeralOwner: number;
}

/** The last line of a kazoo program's stdout, parsed. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}
