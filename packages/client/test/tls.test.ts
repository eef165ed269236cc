import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../src/index.js";
import { EventRecorder, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/** A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(dir: string, name: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * The client's TLS path, through a TLS-terminating loopback proxy in front of each server
 * (the same arrangement as a TLS sidecar); the ZooKeeper protocol inside is unchanged.
 */
describe.each(targets)("TLS connections to %s", (kind) => {
  let server: TargetServer;
  let terminator: tls.Server;
  let port = 0;
  let dir: string;
  let identity: { key: Buffer; cert: Buffer };
  let stranger: { key: Buffer; cert: Buffer };

  beforeAll(async () => {
    server = await startTarget(kind);
    dir = mkdtempSync(join(tmpdir(), "zkts-tls-"));
    identity = selfSigned(dir, "server");
    stranger = selfSigned(dir, "other");
    terminator = tls.createServer({ key: identity.key, cert: identity.cert }, (inbound) => {
      const outbound = net.connect({ host: server.host, port: server.port });
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("error", () => outbound.destroy()).on("close", () => outbound.destroy());
      outbound.on("error", () => inbound.destroy()).on("close", () => inbound.destroy());
    });
    await new Promise<void>((resolve) => terminator.listen(0, "127.0.0.1", resolve));
    port = (terminator.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (terminator ? terminator.close(() => resolve()) : resolve()));
    await server?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("runs operations and watches over TLS with a verified server certificate", async () => {
    const client = await connect(`127.0.0.1:${port}`, { tls: { ca: identity.cert } });
    try {
      const path = uniquePath("tls");
      const watcher = new EventRecorder();
      expect(await client.exists(path, watcher.listener)).toBeNull();
      await client.create(path, Buffer.alloc(200_000, 7));
      expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "NodeCreated", path });
      expect((await client.getData(path)).data.equals(Buffer.alloc(200_000, 7))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("refuses a server whose certificate it does not trust", async () => {
    const error = await connect(`127.0.0.1:${port}`, { tls: { ca: stranger.cert }, sessionTimeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "CONNECTIONLOSS" });
    expect((error as Error).message).toMatch(/certificate/i);
  });
});
