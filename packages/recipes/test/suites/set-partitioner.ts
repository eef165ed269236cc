import { CuttableProxy, runKazoo } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { kazooPartition, SetPartitioner, ShallowParty } from "../../src/index.js";
import { eventually, killSession, open, seededRandom, uniquePath } from "../support.js";
import type { TargetServer } from "../targets.js";

const ITEMS = ["q-a", "q-b", "q-c", "q-d", "q-e", "q-f", "q-g"];
const FAST = { timeBoundaryMs: 200, maxReactionTimeMs: 200 };

/** Runs kazoo's documented loop for a zkts member: release when asked, until failure. */
function drive(partitioner: SetPartitioner): Promise<void> {
  return (async () => {
    for await (const state of partitioner.states()) {
      if (state === "release") await partitioner.releaseSet();
    }
  })();
}

const sameSet = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** Cases that need no server. */
export function partitionFunctionTests(): void {
  describe("kazoo's default partition function", () => {
    it("gives the split kazoo's own function gives, for random members and items", async () => {
      const seed = Number(process.env.PARTITION_SEED ?? Date.now() % 1_000_000);
      console.log(`partition function seed ${seed} (PARTITION_SEED=${seed} replays it)`);
      const random = seededRandom(seed);
      const alphabet = ["a", "B", "z", "-", "0", "é", "\u{1F600}", "\uFFFD", "_"];
      const word = () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const cases = Array.from({ length: 40 }, () => {
        const members = [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, word))];
        const items =
          random() < 0.5
            ? [...new Set(Array.from({ length: Math.floor(random() * 12) }, word))]
            : Array.from({ length: Math.floor(random() * 12) }, (_, i) => (i * 7919) % 23);
        return { members, items, identifier: members[Math.floor(random() * members.length)]! };
      });
      const script = `
import json, sys
from kazoo.recipe.partitioner import SetPartitioner
for case in json.loads(sys.stdin.readline()):
    print(json.dumps(SetPartitioner._partitioner(None, case["identifier"], case["members"], case["items"])))
`;
      const result = await runKazoo(script.replace("sys.stdin.readline()", JSON.stringify(JSON.stringify(cases))), { timeoutMs: 30_000 });
      expect(result.stderr).toBe("");
      const expected = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
      expect(cases.map((c) => kazooPartition(c.identifier, c.members, c.items as (string | number)[]))).toEqual(expected);
    });
  });
}

/** The set partitioner cases against one running server of each kind. */
export function setPartitionerTests(getServer: () => TargetServer): void {
  describe("set partitioner", () => {
    let server: TargetServer;

    beforeAll(() => {
      server = getServer();
    });

    it("three members split the set without overlap, and the rest take over what a leaver held", async () => {
      const path = uniquePath("partition");
      const clients = await Promise.all([0, 1, 2].map(() => open(server.connectString)));
      const partitioners = clients.map((c, i) => new SetPartitioner(c, path, ITEMS, { ...FAST, identifier: `member-${i}` }));
      try {
        await Promise.all(partitioners.map((p) => p.start()));
        const drivers = partitioners.map(drive);
        const members = ["member-0", "member-1", "member-2"];
        await eventually(
          () => partitioners.every((p, i) => p.state === "acquired" && sameSet(p.partitions, kazooPartition(`member-${i}`, members, ITEMS))),
          15_000,
          "a three-way split",
        );
        expect(partitioners.flatMap((p) => p.partitions).sort()).toEqual(ITEMS);
        // Each item's lock is held by one member.
        for (const item of ITEMS) expect(await clients[0]!.getChildren(`${path}/locks/${item}`)).toHaveLength(1);

        await partitioners[2]!.finish();
        expect(partitioners[2]!.state).toBe("failure");
        const rest = ["member-0", "member-1"];
        await eventually(
          () => partitioners.slice(0, 2).every((p, i) => p.state === "acquired" && sameSet(p.partitions, kazooPartition(`member-${i}`, rest, ITEMS))),
          15_000,
          "a two-way split",
        );
        expect(
          partitioners
            .slice(0, 2)
            .flatMap((p) => p.partitions)
            .sort(),
        ).toEqual(ITEMS);
        for (const p of partitioners) await p.finish();
        await Promise.all(drivers);
        expect(await ShallowParty.membersOf(clients[0]!, `${path}/party`)).toEqual([]);
      } finally {
        for (const p of partitioners) await p.finish();
        for (const c of clients) await c.close();
      }
    });

    it("a member whose session is lost fails, and the survivor takes every item", async () => {
      const path = uniquePath("partition-loss");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const doomedClient = await open(proxy.connectString);
      const survivorClient = await open(server.connectString);
      const doomed = new SetPartitioner(doomedClient, path, ITEMS, { ...FAST, identifier: "doomed" });
      const survivor = new SetPartitioner(survivorClient, path, ITEMS, { ...FAST, identifier: "survivor" });
      try {
        await doomed.start();
        await survivor.start();
        const drivers = [drive(doomed), drive(survivor)];
        await eventually(
          () => doomed.state === "acquired" && survivor.state === "acquired" && doomed.partitions.length + survivor.partitions.length === ITEMS.length,
          15_000,
          "a two-way split",
        );

        proxy.block();
        await eventually(() => doomed.state !== "acquired", 10_000, "the cut-off member to stop counting on its items");
        await killSession(doomedClient, server.connectString);
        proxy.unblock();
        await eventually(() => doomed.state === "failure", 10_000, "the member to fail on the lost session");
        expect(doomed.lastError).toBeUndefined();
        await eventually(() => survivor.state === "acquired" && sameSet(survivor.partitions, ITEMS), 15_000, "the survivor holding every item");
        await survivor.finish();
        await Promise.all(drivers);
      } finally {
        await doomed.finish();
        await survivor.finish();
        await doomedClient.close();
        await survivorClient.close();
        await proxy.close();
      }
    });

    it("kazoo's SetPartitioner and this one partition one set together and agree", async () => {
      const path = uniquePath("partition-kazoo");
      const client = await open(server.connectString);
      const mine = new SetPartitioner(client, path, ITEMS, { ...FAST, identifier: "zkts-1" });
      const script = `
import time
from kazoo.client import KazooClient
zk = KazooClient(hosts="${server.connectString}", timeout=10)
zk.start(timeout=20)
zk.ensure_path("${path}-kazoo")
p = zk.SetPartitioner("${path}", set=${JSON.stringify(ITEMS)}, identifier="kazoo-1", time_boundary=0.2, max_reaction_time=0.2)
deadline = time.time() + 40
while time.time() < deadline:
    if p.failed:
        print("FAILED")
        break
    elif p.release:
        p.release_set()
    elif p.acquired:
        zk.set("${path}-kazoo", ",".join(sorted(p)).encode())
        if zk.exists("${path}-done"):
            break
        time.sleep(0.05)
    elif p.allocating:
        p.wait_for_acquire(0.5)
print("PARTY", ",".join(sorted(zk.ShallowParty("${path}/party"))))
print("LAST", ",".join(sorted(p)))
p.finish()
zk.stop()
`;
      try {
        await mine.start();
        const driver = drive(mine);
        const kazoo = runKazoo(script, { timeoutMs: 60_000 });
        let finished = false;
        void kazoo.then(() => (finished = true));
        const members = ["kazoo-1", "zkts-1"];
        const kazooShare = kazooPartition("kazoo-1", members, ITEMS);
        const zktsShare = kazooPartition("zkts-1", members, ITEMS);
        const kazooHolds = async () => {
          const stat = await client.exists(`${path}-kazoo`);
          return stat === null ? "" : (await client.getData(`${path}-kazoo`)).data.toString();
        };
        await eventually(
          async () => finished || (mine.state === "acquired" && sameSet(mine.partitions, zktsShare) && (await kazooHolds()) === kazooShare.join(",")),
          30_000,
          "kazoo and zkts to settle on the shared split",
        );
        expect(finished).toBe(false);
        expect((await ShallowParty.membersOf(client, `${path}/party`)).sort()).toEqual(members);
        await client.create(`${path}-done`);
        const result = await kazoo;
        expect(result.stderr).toBe("");
        expect(result.stdout).toContain("PARTY kazoo-1,zkts-1");
        expect(result.stdout).toContain(`LAST ${kazooShare.join(",")}`);
        // kazoo left: zkts re-divides and takes the whole set.
        await eventually(() => mine.state === "acquired" && sameSet(mine.partitions, ITEMS), 15_000, "zkts holding every item after kazoo left");
        await mine.finish();
        await driver;
      } finally {
        await mine.finish();
        await client.close();
      }
    });
  });
}
