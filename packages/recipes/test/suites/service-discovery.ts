import { CuttableProxy } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { buildServiceUri, decodeServiceInstance, encodeServiceInstance, RenewingClient, ServiceDiscovery, type ServiceInstance } from "../../src/index.js";
import { eventually, killSession, open, uniquePath } from "../support.js";
import type { TargetServer } from "../targets.js";

/** Cases that need no server. */
export function serviceInstanceJsonTests(): void {
  describe("Curator's ServiceInstance JSON", () => {
    it("writes the fields in Curator's order with nulls, and reads what Curator writes", () => {
      const instance: ServiceInstance = {
        name: "api",
        id: "a1",
        address: "10.0.0.7",
        port: 8080,
        payload: { zone: "eu" },
        uriSpec: "{scheme}://{address}:{port}/v1",
      };
      expect(encodeServiceInstance(instance, 1325129459728).toString()).toBe(
        '{"name":"api","id":"a1","address":"10.0.0.7","port":8080,"sslPort":null,"payload":{"zone":"eu"},"registrationTimeUTC":1325129459728,"serviceType":"DYNAMIC",' +
          '"uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},' +
          '{"value":":","variable":false},{"value":"port","variable":true},{"value":"/v1","variable":false}]}}',
      );
      // As Curator 5 writes it: a typed payload and the `enabled` field.
      const fromCurator = Buffer.from(
        '{"name":"test","id":"ca2fff8e-d756-480c-b59e-8297ff88624b","address":"10.20.30.40","port":1234,"sslPort":null,' +
          '"payload":{"@class":"com.example.InstanceDetails","description":"From Test"},"registrationTimeUTC":1325129459728,"serviceType":"STATIC","uriSpec":null,"enabled":false}',
      );
      expect(decodeServiceInstance(fromCurator)).toEqual({
        name: "test",
        id: "ca2fff8e-d756-480c-b59e-8297ff88624b",
        address: "10.20.30.40",
        port: 1234,
        sslPort: null,
        payload: { "@class": "com.example.InstanceDetails", description: "From Test" },
        registrationTimeUTC: 1325129459728,
        serviceType: "STATIC",
        uriSpec: null,
        enabled: false,
      });
      expect(buildServiceUri({ ...instance, registrationTimeUTC: 5 })).toBe("http://10.0.0.7:8080/v1");
      expect(buildServiceUri({ ...instance, sslPort: 8443, uriSpec: "{scheme}://{address}:{ssl-port}/{[}x{]}" })).toBe("https://10.0.0.7:8443/{x}");
    });
  });
}

/** The service discovery cases against one running server of each kind. */
export function serviceDiscoveryTests(getServer: () => TargetServer): void {
  describe("service discovery", () => {
    let server: TargetServer;

    beforeAll(() => {
      server = getServer();
    });

    it("registers instances under <base>/<name>/<id>, lists and updates them, and a watcher follows", async () => {
      const base = uniquePath("services");
      const a = await open(server.connectString);
      const b = await open(server.connectString);
      const discoveryA = new ServiceDiscovery(a, { basePath: base, now: () => 1000 });
      const discoveryB = new ServiceDiscovery(b, { basePath: base, now: () => 2000 });
      const controller = new AbortController();
      const seen: string[][] = [];
      const watching = (async () => {
        for await (const instances of discoveryA.watchInstances("api", controller.signal))
          seen.push(instances.map((i) => `${i.id}@${i.address}:${i.port}`).sort());
      })();
      try {
        await eventually(() => seen.length >= 1, 10_000, "the first list");
        await discoveryA.registerService({ name: "api", id: "a1", address: "10.0.0.1", port: 80 });
        await discoveryB.registerService({ name: "api", id: "b1", address: "10.0.0.2", port: 80, payload: "blue" });
        await discoveryB.registerService({ name: "worker", id: "w1", address: "10.0.0.3", serviceType: "PERMANENT" });
        expect((await discoveryA.queryForNames()).sort()).toEqual(["api", "worker"]);
        const stat = await a.exists(`${base}/api/b1`);
        expect(stat?.ephemeralOwner).toBe(b.sessionId);
        expect((await a.exists(`${base}/worker/w1`))?.ephemeralOwner).toBe(0n);
        expect(await discoveryA.queryForInstance("api", "b1")).toMatchObject({
          payload: "blue",
          registrationTimeUTC: 2000,
          serviceType: "DYNAMIC",
          enabled: true,
        });
        await eventually(() => JSON.stringify(seen.at(-1)) === JSON.stringify(["a1@10.0.0.1:80", "b1@10.0.0.2:80"]), 10_000, "both instances");

        await discoveryB.updateService({ name: "api", id: "b1", address: "10.0.0.2", port: 81 });
        expect((await discoveryA.queryForInstance("api", "b1"))?.port).toBe(81);
        await b.close();
        await eventually(() => JSON.stringify(seen.at(-1)) === JSON.stringify(["a1@10.0.0.1:80"]), 10_000, "b1 gone with its session");
        expect((await discoveryA.queryForInstances("worker")).map((i) => i.id)).toEqual(["w1"]);
        await discoveryA.unregisterService({ name: "api", id: "a1" });
        await eventually(() => JSON.stringify(seen.at(-1)) === "[]", 10_000, "a1 unregistered");
      } finally {
        controller.abort();
        await watching.catch(() => {});
        await discoveryA.close();
        await a.close();
        await b.close();
      }
    });

    it("re-registers after a lost session, and a watcher on the same RenewingClient keeps following", async () => {
      const base = uniquePath("services-renew");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const renewing = await RenewingClient.start(() => open(proxy.connectString));
      const observer = await open(server.connectString);
      const discovery = new ServiceDiscovery(renewing, { basePath: base });
      const controller = new AbortController();
      const seen: string[][] = [];
      const watching = (async () => {
        for await (const instances of discovery.watchInstances("api", controller.signal)) seen.push(instances.map((i) => i.id));
      })();
      try {
        await discovery.registerService({ name: "api", id: "r1", address: "10.0.0.9", port: 9000 });
        await eventually(() => JSON.stringify(seen.at(-1)) === '["r1"]', 10_000, "r1 seen");
        const before = renewing.client.sessionId;
        proxy.block();
        await killSession(renewing.client, server.connectString);
        proxy.unblock();
        await eventually(
          async () => renewing.client.sessionId !== before && (await observer.exists(`${base}/api/r1`))?.ephemeralOwner === renewing.client.sessionId,
          15_000,
          "r1 on the new session",
        );
        const again = new ServiceDiscovery(observer, { basePath: base });
        expect((await again.queryForInstances("api")).map((i) => `${i.id} ${i.address}:${i.port}`)).toEqual(["r1 10.0.0.9:9000"]);
        // The watcher moved to the new session: it sees a registration made now.
        await new ServiceDiscovery(observer, { basePath: base }).registerService({ name: "api", id: "o1", address: "10.0.0.10", port: 9000 });
        await eventually(() => JSON.stringify([...(seen.at(-1) ?? [])].sort()) === '["o1","r1"]', 10_000, "o1 seen by the renewed watcher");
      } finally {
        controller.abort();
        await watching.catch(() => {});
        await discovery.close();
        await renewing.close();
        await observer.close();
        await proxy.close();
      }
    });
  });
}
