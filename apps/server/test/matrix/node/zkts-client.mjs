// @zkts/client, this repository's own client library: create modes and their errors, data,
// children and exists watches, a persistent recursive watch, a transaction that commits and one
// that fails, digest auth, getEphemerals, ephemerals gone after close.
// Usage: node zkts-client.mjs host:port[,host:port...]
import { ZkError, connect, digestAcl } from "@zkts/client";
import { checkpoint } from "./checkpoint.mjs";

const ROOT = "/matrix-zkts-client";
const hosts = process.argv[2];
const out = (...parts) => console.log(parts.join(" "));
const open = () => connect(hosts, { sessionTimeoutMs: 10000 });
const attempt = async (label, fn) => {
  try {
    out(label, await fn());
  } catch (err) {
    out(label, err instanceof ZkError ? err.codeName : String(err));
  }
};
// Resolves with the first node event; connection-state events (type None) are not node events.
const nodeEvent = () => {
  let fire;
  const fired = new Promise((resolve) => (fire = resolve));
  return { fired, listener: (event) => event.type !== "None" && fire(`${event.type} ${event.path}`) };
};

async function main() {
  const zk = await open();
  out("create", (await zk.create(ROOT, "v0")).path);
  out("ephemeral", (await zk.create(`${ROOT}/e`, "", { mode: "EPHEMERAL" })).path);
  out("sequential", (await zk.create(`${ROOT}/s-`, "", { mode: "PERSISTENT_SEQUENTIAL" })).path);
  out("ephemeral sequential", (await zk.create(`${ROOT}/es-`, "", { mode: "EPHEMERAL_SEQUENTIAL" })).path);
  out("container", (await zk.create(`${ROOT}/box`, "b", { mode: "CONTAINER" })).stat.dataLength);
  await attempt("create again", () => zk.create(ROOT, ""));
  await attempt("create under ephemeral", () => zk.create(`${ROOT}/e/x`, ""));

  const data = nodeEvent();
  const { data: value, stat } = await zk.getData(ROOT, data.listener);
  out("getData", value.toString(), stat.version, stat.numChildren);
  out("setData version", (await zk.setData(ROOT, "v1", 0)).version);
  out("data watch", await data.fired);
  await attempt("setData bad version", () => zk.setData(ROOT, "x", 9));

  const children = nodeEvent();
  out("children", (await zk.getChildren(ROOT, children.listener)).sort().join(","));
  const exists = nodeEvent();
  out("exists missing", (await zk.exists(`${ROOT}/later`, exists.listener)) === null);
  // On a path of its own: a server keeps one watch mode per session and path, so a persistent
  // watch on ROOT would replace the one-shot children watch above.
  await zk.create(`${ROOT}/tree`, "");
  const recursive = [];
  let recursiveDone;
  const recursiveSeen = new Promise((resolve) => (recursiveDone = resolve));
  await zk.addWatch(`${ROOT}/tree`, "persistentRecursive", (event) => {
    if (event.type === "None") return;
    recursive.push(`${event.type} ${event.path}`);
    if (recursive.length === 3) recursiveDone();
  });
  // In the ensemble column the leader dies here, with one-shot and persistent watches set.
  await checkpoint(() => zk.state === "connected");
  await zk.create(`${ROOT}/later`, "l");
  out("child watch", await children.fired);
  out("exists watch", await exists.fired);
  await zk.create(`${ROOT}/tree/leaf`, "");
  await zk.setData(`${ROOT}/tree/leaf`, "l2");
  await zk.delete(`${ROOT}/tree/leaf`);
  await recursiveSeen;
  out("persistent recursive watch", recursive.join(", "));

  const results = await zk.transaction().create(`${ROOT}/t`, "t").setData(`${ROOT}/t`, "t1", 0).check(ROOT, 1).commit();
  out("transaction", results.map((r) => r.type).join(","));
  await attempt("failed transaction", () => zk.transaction().create(`${ROOT}/never`, "").check(ROOT, 42).commit());
  out("never exists", (await zk.exists(`${ROOT}/never`)) === null);

  await zk.addAuth("digest", "alice:secret");
  await zk.create(`${ROOT}/private`, "p", { acl: [digestAcl("alice", "secret")] });
  const guest = await open();
  await attempt("guest reads private", async () => (await guest.getData(`${ROOT}/private`)).data.toString());
  await guest.close();
  out("getEphemerals", (await zk.getEphemerals(ROOT)).sort().join(","));
  out("getAllChildrenNumber", await zk.getAllChildrenNumber(ROOT));

  await zk.close();
  const cleaner = await open();
  out("after close", (await cleaner.getChildren(ROOT)).sort().join(","));
  await cleaner.addAuth("digest", "alice:secret");
  await cleaner.deleteAll(ROOT);
  out("cleaned", (await cleaner.exists(ROOT)) === null);
  await cleaner.close();
  out("done");
}

// The limit spans the ensemble column's checkpoint too; the harness stops a program at 60 s.
setTimeout(() => {
  out("TIMEOUT");
  process.exit(2);
}, 55000).unref();
main().catch((err) => {
  out("FAILED", err?.stack ?? err);
  process.exit(1);
});
