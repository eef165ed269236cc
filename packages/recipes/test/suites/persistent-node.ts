import type { ZkClient } from "@zkts/client";
import { CuttableProxy } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { PersistentNode, RenewingClient } from "../../src/index.js";
import { eventually, killSession, open, sleep, uniquePath } from "../support.js";
import type { TargetServer } from "../targets.js";

/** Ends `client`'s session on the server while the proxy keeps it from hearing of it. */
async function loseSession(proxy: CuttableProxy, client: ZkClient, connectString: string): Promise<void> {
  proxy.block();
  await killSession(client, connectString);
  proxy.unblock();
  await eventually(() => client.connectionState === "lost", 10_000, "the session loss to reach the client");
}

/** The persistent node cases against one running server of each kind. */
export function persistentNodeTests(getServer: () => TargetServer): void {
  describe("persistent node", () => {
    let server: TargetServer;

    beforeAll(() => {
      server = getServer();
    });

    it("re-creates its ephemeral node when someone deletes it, keeps new data, and deletes it on close", async () => {
      const path = `${uniquePath("persistent")}/member`;
      const owner = await open(server.connectString);
      const other = await open(server.connectString);
      const created: string[] = [];
      const node = new PersistentNode(owner, path, "v1", { onCreated: (p) => created.push(p) });
      try {
        node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
        expect((await other.exists(path))?.ephemeralOwner).toBe(owner.sessionId);
        await other.delete(path);
        await eventually(async () => (await other.exists(path)) !== null, 10_000, "the node to come back");
        await node.setData("v2");
        expect((await other.getData(path)).data.toString()).toBe("v2");
        await other.delete(path);
        await eventually(async () => (await other.exists(path)) !== null, 10_000, "the node to come back again");
        expect((await other.getData(path)).data.toString()).toBe("v2");
        await eventually(() => created.length === 3, 10_000, "three creations reported");
        expect(created).toEqual([path, path, path]);
        await node.close();
        expect(await other.exists(path)).toBeNull();
      } finally {
        await node.close();
        await owner.close();
        await other.close();
      }
    });

    it("waits for another session's node at its name to go, then takes the name", async () => {
      const path = uniquePath("persistent-taken");
      const squatter = await open(server.connectString);
      const owner = await open(server.connectString);
      const node = new PersistentNode(owner, path, "mine");
      try {
        await squatter.create(path, "theirs", { mode: "EPHEMERAL" });
        node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 300 })).toBe(false);
        expect((await owner.getData(path)).data.toString()).toBe("theirs");
        await squatter.close();
        expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
        const stat = await owner.exists(path);
        expect(stat?.ephemeralOwner).toBe(owner.sessionId);
        expect((await owner.getData(path)).data.toString()).toBe("mine");
      } finally {
        await node.close();
        await owner.close();
      }
    });

    it("with a RenewingClient, a protected sequential node comes back on the next session after a lost one", async () => {
      const parent = uniquePath("persistent-renew");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const renewing = await RenewingClient.start(() => open(proxy.connectString));
      const observer = await open(server.connectString);
      const node = new PersistentNode(renewing, `${parent}/worker-`, "w", { mode: "EPHEMERAL_SEQUENTIAL", protected: true });
      try {
        node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
        const first = node.actualPath!;
        expect(first.slice(parent.length + 1)).toMatch(/^_c_[0-9a-f-]{36}-worker-\d{10}$/);
        const firstSession = renewing.client.sessionId;

        await loseSession(proxy, renewing.client, server.connectString);
        await eventually(() => renewing.client.sessionId !== firstSession && renewing.client.connectionState === "connected", 10_000, "a new session");
        await eventually(() => node.actualPath !== undefined && node.actualPath !== first, 10_000, "the node on the new session");
        const children = await observer.getChildren(parent);
        expect(children).toEqual([node.actualPath!.slice(parent.length + 1)]);
        // The same protected id: a lost create reply on the new session would find this node.
        expect(children[0]!.slice(0, 40)).toBe(first.slice(parent.length + 1, parent.length + 41));
        expect((await observer.exists(node.actualPath!))?.ephemeralOwner).toBe(renewing.client.sessionId);
      } finally {
        await node.close();
        await renewing.close();
        await observer.close();
        await proxy.close();
      }
    });

    it("with a plain client, a lost session takes the ephemeral node with it for good", async () => {
      const path = uniquePath("persistent-plain");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const client = await open(proxy.connectString);
      const observer = await open(server.connectString);
      const node = new PersistentNode(client, path, "x");
      try {
        node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
        await loseSession(proxy, client, server.connectString);
        await sleep(200);
        expect(await observer.exists(path)).toBeNull();
        expect(node.lastError).toBeUndefined();
      } finally {
        await node.close();
        await client.close();
        await observer.close();
        await proxy.close();
      }
    });

    it("a TTL node outlives its session and is touched while its owner runs", async () => {
      const path = uniquePath("persistent-ttl");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const renewing = await RenewingClient.start(() => open(proxy.connectString));
      const observer = await open(server.connectString);
      const node = new PersistentNode(renewing, path, "alive", { mode: "PERSISTENT_WITH_TTL", ttlMs: 60_000, touchIntervalMs: 100 });
      try {
        node.start();
        expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
        const created = (await observer.exists(path))!;
        expect(created.ephemeralOwner).toBe(0n);
        await eventually(async () => (await observer.exists(path))!.version >= created.version + 2, 10_000, "touches");
        await loseSession(proxy, renewing.client, server.connectString);
        const after = (await observer.exists(path))!;
        expect(after.czxid).toBe(created.czxid);
        await eventually(async () => (await observer.exists(path))!.version > after.version, 10_000, "touches on the new session");
        await node.close();
        expect(await observer.exists(path)).toBeNull();
      } finally {
        await node.close();
        await renewing.close();
        await observer.close();
        await proxy.close();
      }
    });
  });
}
