// node-zookeeper-client (npm, pure JavaScript, 3.4-era protocol): create modes, watches on
// data, children and existence, a transaction that commits and one that fails, digest ACLs,
// errors and session close. Usage: node node-zookeeper-client.mjs host:port
import zookeeper from "node-zookeeper-client";
import { checkpoint } from "./checkpoint.mjs";

const { ACL, CreateMode, Exception, Id, Permission, State } = zookeeper;
const ROOT = "/matrix-node-zookeeper-client";
const hosts = process.argv[2];
const out = (...parts) => console.log(parts.join(" "));
const call = (fn) => new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));
const errorName = (err) => (err instanceof Exception ? err.getName() : String(err));
const connect = () =>
  new Promise((resolve, reject) => {
    const client = zookeeper.createClient(hosts, { sessionTimeout: 10000, retries: 0 });
    client.once("connected", () => resolve(client));
    client.once("authenticationFailed", () => reject(new Error("authentication failed")));
    client.connect();
  });
const attempt = async (label, fn) => {
  try {
    out(label, ...(await fn()));
  } catch (err) {
    out(label, errorName(err));
  }
};

async function main() {
  const zk = await connect();
  out("created", ...(await call((cb) => zk.create(ROOT, Buffer.from("v0"), cb))));
  out("persistent sequential", ...(await call((cb) => zk.create(`${ROOT}/s-`, null, CreateMode.PERSISTENT_SEQUENTIAL, cb))));
  out("ephemeral", ...(await call((cb) => zk.create(`${ROOT}/e`, null, CreateMode.EPHEMERAL, cb))));
  out("ephemeral sequential", ...(await call((cb) => zk.create(`${ROOT}/es-`, null, CreateMode.EPHEMERAL_SEQUENTIAL, cb))));
  await attempt("create again", () => call((cb) => zk.create(ROOT, null, cb)));
  await attempt("create without parent", () => call((cb) => zk.create(`${ROOT}/none/x`, null, cb)));
  await attempt("create under ephemeral", () => call((cb) => zk.create(`${ROOT}/e/x`, null, cb)));

  const dataEvent = new Promise((resolve) => {
    zk.getData(
      ROOT,
      (event) => resolve(event),
      (err, data, stat) => out("getData", data.toString(), stat.version, stat.numChildren),
    );
  });
  out("setData version", (await call((cb) => zk.setData(ROOT, Buffer.from("v1"), 0, cb)))[0].version);
  const changed = await dataEvent;
  out("data watch", changed.getName(), changed.getPath());
  await attempt("setData bad version", () => call((cb) => zk.setData(ROOT, Buffer.from("x"), 9, cb)));

  const childEvent = new Promise((resolve) => {
    zk.getChildren(
      ROOT,
      (event) => resolve(event),
      (err, children) => out("children", [...children].sort().join(",")),
    );
  });
  const existsEvent = new Promise((resolve) => {
    zk.exists(
      `${ROOT}/later`,
      (event) => resolve(event),
      (err, stat) => out("exists missing", stat === null),
    );
  });
  // In the ensemble column the leader dies here, with a children and an exists watch set.
  await checkpoint(() => zk.getState() === State.SYNC_CONNECTED);
  await call((cb) => zk.create(`${ROOT}/later`, Buffer.from("l"), cb));
  const [childChanged, created] = await Promise.all([childEvent, existsEvent]);
  out("child watch", childChanged.getName(), childChanged.getPath());
  out("exists watch", created.getName(), created.getPath());

  const [results] = await call((cb) =>
    zk.transaction().create(`${ROOT}/t`, Buffer.from("t")).setData(`${ROOT}/t`, Buffer.from("t1"), 0).check(ROOT, 1).remove(`${ROOT}/later`, 0).commit(cb),
  );
  out("transaction", JSON.stringify(results.map((r) => ({ type: r.type, path: r.path ?? null }))));
  try {
    await call((cb) => zk.transaction().create(`${ROOT}/never`).check(ROOT, 42).commit(cb));
  } catch (err) {
    out("failed transaction", errorName(err));
  }
  out("never exists", (await call((cb) => zk.exists(`${ROOT}/never`, cb)))[0] === null);

  zk.addAuthInfo("digest", Buffer.from("alice:secret"));
  const aliceOnly = [new ACL(Permission.ALL, new Id("auth", ""))];
  out("private", ...(await call((cb) => zk.create(`${ROOT}/private`, Buffer.from("p"), aliceOnly, CreateMode.PERSISTENT, cb))));
  const [acls, aclStat] = await call((cb) => zk.getACL(`${ROOT}/private`, cb));
  out("acl", JSON.stringify(acls.map((a) => [a.permission, a.id.scheme, a.id.id])), aclStat.aversion);
  const guest = await connect();
  await attempt("guest reads private", () => call((cb) => guest.getData(`${ROOT}/private`, cb)));
  await attempt("guest sets acl", () => call((cb) => guest.setACL(`${ROOT}/private`, ACL.OPEN_ACL_UNSAFE, -1, cb)));
  guest.close();

  const [kids] = await call((cb) => zk.getChildren(ROOT, cb));
  // close() takes no callback: the server closes the connection once the session (and its
  // ephemerals) is gone, so wait for that before another session looks.
  const closed = new Promise((resolve) => zk.once("disconnected", resolve));
  zk.close();
  await closed;
  const cleaner = await connect();
  const [left] = await call((cb) => cleaner.getChildren(ROOT, cb));
  out("children before close", kids.length, "after close", [...left].sort().join(","));
  cleaner.addAuthInfo("digest", Buffer.from("alice:secret"));
  for (const child of left) await call((cb) => cleaner.remove(`${ROOT}/${child}`, -1, cb));
  await call((cb) => cleaner.remove(ROOT, -1, cb));
  out("cleaned", (await call((cb) => cleaner.exists(ROOT, cb)))[0] === null);
  cleaner.close();
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
