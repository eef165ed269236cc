// The `zookeeper` npm package (a Node.js binding of ZooKeeper's C client, built from source at
// install): create modes, watches through the w_* calls, set/delete with versions, ACLs and
// digest auth, sync, mkdirp. Usage: node zookeeper-npm.mjs host:port
import ZooKeeper from "zookeeper";
import { checkpoint } from "./checkpoint.mjs";

const ROOT = "/matrix-zookeeper-npm";
const { constants } = ZooKeeper;
const out = (...parts) => console.log(parts.join(" "));
const errorOf = (err) =>
  String(err?.message ?? err)
    .replace(/^-?\d+\s*/, "")
    .split(",")[0];

function open() {
  return new Promise((resolve, reject) => {
    const client = new ZooKeeper({ connect: process.argv[2], timeout: 10000, debug_level: constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: true });
    client.once("connect", () => resolve(client));
    setTimeout(() => reject(new Error("no session within 20 s")), 20000).unref();
    client.init({});
  });
}

async function attempt(label, fn) {
  try {
    out(label, await fn());
  } catch (err) {
    out(label, "error", errorOf(err));
  }
}

const statShown = (s) =>
  `version=${s.version} cversion=${s.cversion} dataLength=${s.dataLength} numChildren=${s.numChildren} ephemeral=${s.ephemeralOwner !== "0" && s.ephemeralOwner !== 0}`;
// The C client underneath hands connection-state changes to every watcher as well; a watch
// here waits for its node's event.
const onNodeEvent = (handle) => (type, state, path) => {
  if (type !== constants.ZOO_SESSION_EVENT) handle(`${type} ${path}`);
};

async function main() {
  const zk = await open();
  out("create", await zk.create(ROOT, "v0", constants.ZOO_PERSISTENT));
  out("ephemeral", await zk.create(`${ROOT}/e`, "", constants.ZOO_EPHEMERAL));
  out("sequential", await zk.create(`${ROOT}/s-`, "", constants.ZOO_PERSISTENT_SEQUENTIAL));
  out("ephemeral sequential", await zk.create(`${ROOT}/es-`, "", constants.ZOO_EPHEMERAL_SEQUENTIAL));
  out("container", await zk.create(`${ROOT}/box`, "", constants.ZOO_CONTAINER));
  await attempt("create again", () => zk.create(ROOT, "", constants.ZOO_PERSISTENT));
  await attempt("ttl without extended types", () => zk.create(`${ROOT}/ttl`, "", constants.ZOO_PERSISTENT_WITH_TTL, 60000));

  let fired;
  const [stat, data] = await zk.w_get(
    ROOT,
    onNodeEvent((event) => fired?.(event)),
  );
  const dataEvent = new Promise((resolve) => (fired = resolve));
  out("w_get", data.toString(), statShown(stat));
  out("set", statShown(await zk.set(ROOT, "v1", 0)));
  out("data watch", await dataEvent);
  await attempt("set bad version", () => zk.set(ROOT, "x", 9));

  let childFired;
  const children = await zk.w_get_children(
    ROOT,
    onNodeEvent((event) => childFired?.(event)),
  );
  const childEvent = new Promise((resolve) => (childFired = resolve));
  out("children", [...children].sort().join(","));
  let existsFired;
  await attempt("w_exists missing", () =>
    zk.w_exists(
      `${ROOT}/later`,
      onNodeEvent((event) => existsFired?.(event)),
    ),
  );
  const existsEvent = new Promise((resolve) => (existsFired = resolve));
  // In the ensemble column the leader dies here, with a children and an exists watch set.
  await checkpoint(() => zk.state === constants.ZOO_CONNECTED_STATE);
  await zk.create(`${ROOT}/later`, "", constants.ZOO_PERSISTENT);
  out("child watch", await childEvent);
  out("exists watch", await existsEvent);
  out("exists", statShown(await zk.exists(`${ROOT}/later`, false)));
  out("sync", await zk.sync(ROOT));
  await new Promise((resolve, reject) => zk.mkdirp(`${ROOT}/deep/er/path`, (err) => (err ? reject(err) : resolve())));
  out("mkdirp", (await zk.get_children(`${ROOT}/deep/er`, false)).join(","));

  zk.add_auth("digest", "alice:secret", () => {});
  out("private", await zk.create(`${ROOT}/private`, "p", constants.ZOO_PERSISTENT));
  out("set_acl", await zk.set_acl(`${ROOT}/private`, -1, [{ perms: constants.ZOO_PERM_ALL, scheme: "auth", auth: "" }]));
  const [acls, aclStat] = await zk.get_acl(`${ROOT}/private`);
  out("acl", JSON.stringify(acls), aclStat.aversion);
  const guest = await open();
  await attempt("guest reads private", () => guest.get(`${ROOT}/private`, false));
  guest.close();

  await attempt("delete non-empty", () => zk.delete_(ROOT, -1));
  for (const path of [`${ROOT}/deep/er/path`, `${ROOT}/deep/er`, `${ROOT}/deep`]) await zk.delete_(path, -1);
  zk.close();
  const cleaner = await open();
  const left = [...(await cleaner.get_children(ROOT, false))].sort();
  out("after close", left.join(","));
  cleaner.add_auth("digest", "alice:secret", () => {});
  for (const child of left) await cleaner.delete_(`${ROOT}/${child}`, -1);
  await cleaner.delete_(ROOT, -1);
  await attempt("exists after delete", () => cleaner.exists(ROOT, false));
  cleaner.close();
  out("done");
}

// The limit spans the ensemble column's checkpoint too; the harness stops a program at 60 s.
setTimeout(() => {
  out("TIMEOUT");
  process.exit(2);
}, 55000).unref();
main().then(
  () => setTimeout(() => process.exit(0), 100),
  (err) => {
    out("FAILED", err?.stack ?? err);
    process.exit(1);
  },
);
