// A scripted session with the npm node-zookeeper-client, run as a child process so the test
// sees only its printed output. Usage: node node-zookeeper-client-session.mjs host:port
import zookeeper from "node-zookeeper-client";

const client = zookeeper.createClient(process.argv[2], { sessionTimeout: 10000, retries: 0 });
const p = (fn) => new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));
const out = (...parts) => console.log(parts.join(" "));

client.once("connected", async () => {
  try {
    const [path] = await p((cb) => client.create("/nzc", Buffer.from("hello"), cb));
    out("created", path);
    const watched = new Promise((resolve) => {
      client.getData(
        "/nzc",
        (event) => resolve(event),
        (err, data, stat) => out("get", data.toString(), stat.version),
      );
    });
    await p((cb) => client.setData("/nzc", Buffer.from("world"), -1, cb));
    const event = await watched;
    out("event", event.getName(), event.getPath());
    const [seq] = await p((cb) => client.create("/nzc/job-", Buffer.from("j"), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
    out("ephemeral", seq);
    const [children] = await p((cb) => client.getChildren("/nzc", cb));
    out("children", children.sort().join(","));
    try {
      await p((cb) => client.create("/nzc", null, cb));
    } catch (err) {
      out("error", err.getCode(), err.getName());
    }
    await p((cb) => client.remove(seq, -1, cb));
    await p((cb) => client.remove("/nzc", -1, cb));
    const [stat] = await p((cb) => client.exists("/nzc", cb));
    out("exists-after-delete", stat === null);
    client.close();
  } catch (err) {
    out("FAILED", err.stack ?? err);
    client.close();
    process.exitCode = 1;
  }
});
client.connect();
setTimeout(() => {
  out("TIMEOUT");
  process.exit(2);
}, 20000).unref();
