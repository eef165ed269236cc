import { type RunningEnsemble, runKazoo } from "@zkts/testkit";
import { expect } from "vitest";

/**
 * kazoo creates `/<prefix>-<i>` through member i, then reads the root's children back through
 * every member (after a sync): each must list all of them.
 */
export async function expectWritesThroughEveryMember(ensemble: RunningEnsemble, prefix: string): Promise<void> {
  const hosts = ensemble.members.map((m) => m.server.connectString);
  const result = await runKazoo(`
from kazoo.client import KazooClient
hosts = ${JSON.stringify(hosts)}
for i, h in enumerate(hosts):
    zk = KazooClient(hosts=h, timeout=10)
    zk.start(timeout=30)
    zk.create("/${prefix}-%d" % i, b"x")
    zk.stop()
for h in hosts:
    zk = KazooClient(hosts=h, timeout=10)
    zk.start(timeout=30)
    zk.sync("/")
    print(sorted(c for c in zk.get_children("/") if c.startswith("${prefix}-")), flush=True)
    zk.stop()
print("done", flush=True)
`);
  expect(result.stdout, result.stderr.slice(-2000)).toContain("done");
  const all = `[${hosts.map((_, i) => `'${prefix}-${i}'`).join(", ")}]`;
  expect(result.stdout.split("\n").filter((l) => l.startsWith("["))).toEqual(hosts.map(() => all));
}
