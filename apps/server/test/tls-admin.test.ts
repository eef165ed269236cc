import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { promisify } from "node:util";
import { type RunningServer, type ServerKind, freePort, startReferenceEnsemble, startServer, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, type Identity, Pki, storeKeys } from "./tls/pki.js";

/**
 * HTTPS for the AdminServer: admin.forceHttps (HTTPS only) and admin.portUnification (HTTP and
 * HTTPS on one port), on a standalone server and on an ensemble member, driven by node's https
 * client and curl with the CA, and compared with ZooKeeper 3.8, whose Jetty AdminServer runs
 * with TLS from the Debian classpath. Both present the ssl.quorum.* key store: ZooKeeper 3.8's
 * JettyAdminServer reads QuorumX509Util's properties, not the client port's ssl.* ones.
 */
const KINDS: ServerKind[] = ["reference", "zkts"];
const pki = new Pki();
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let serverId: Identity;

beforeAll(() => {
  ca = pki.authority("Admin Test CA");
  otherCa = pki.authority("Unrelated CA");
  serverId = pki.identity(ca, "admin-server", "/CN=admin-server");
});

afterAll(() => pki.cleanup());

type Probe = { status: number; json: unknown } | { failed: true };

/** GET over https (trusting `caPem`) or plain http; a failed connection or handshake is `failed`. */
function request(secure: boolean, port: number, path: string, caPem?: string): Promise<Probe> {
  return new Promise((resolve) => {
    const done = (res: import("node:http").IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: parseJson(body) }));
      res.on("error", () => resolve({ failed: true }));
    };
    const options = { host: "127.0.0.1", port, path, timeout: 15_000, agent: false as const };
    const req = secure ? httpsGet({ ...options, ca: readFileSync(caPem!) }, done) : httpGet(options, done);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ failed: true }));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 0 ? "not json" : "";
  }
}

/** curl with --cacert: the parsed JSON body, or curl's exit status when it failed. */
async function curl(port: number, path: string, caPem: string): Promise<unknown> {
  try {
    const { stdout } = await promisify(execFile)("curl", ["-sS", "--max-time", "15", "--cacert", caPem, `https://127.0.0.1:${port}${path}`]);
    return parseJson(stdout);
  } catch (err) {
    return { curlExit: (err as { code?: number }).code };
  }
}

function adminKeys(port: number, mode: Record<string, string>): Record<string, string> {
  return {
    "admin.enableServer": "true",
    "admin.serverAddress": "127.0.0.1",
    "admin.serverPort": String(port),
    ...mode,
    ...storeKeys("ssl.quorum", serverId.keyStoreP12, ca.trustStoreP12),
  };
}

/** What a client sees of the admin port: HTTPS with the right CA (node and curl), a wrong CA, plain HTTP. */
async function probe(port: number, command: string): Promise<Record<string, unknown>> {
  return {
    https: await request(true, port, `/commands/${command}`, ca.certPem),
    curl: await curl(port, `/commands/${command}`, ca.certPem),
    wrongCa: await request(true, port, `/commands/${command}`, otherCa.certPem),
    plain: await request(false, port, `/commands/${command}`),
  };
}

describe("AdminServer over HTTPS on a standalone server, compared with ZooKeeper 3.8", () => {
  const servers: RunningServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.cleanup()));
  });

  async function onBoth(mode: Record<string, string>): Promise<{ reference: Record<string, unknown>; zkts: Record<string, unknown> }> {
    const seen = await Promise.all(
      KINDS.map(async (kind) => {
        const port = await freePort();
        const server = await startServer(kind, { config: adminKeys(port, mode) });
        servers.push(server);
        return probe(port, "ruok");
      }),
    );
    return { reference: seen[0]!, zkts: seen[1]! };
  }

  it("admin.forceHttps=true: HTTPS only, with the ssl.quorum.* certificate", async () => {
    const seen = await onBoth({ "admin.forceHttps": "true" });
    const ruok = { command: "ruok", error: null };
    expect(seen.reference).toEqual({ https: { status: 200, json: ruok }, curl: ruok, wrongCa: { failed: true }, plain: { failed: true } });
    expect(seen.zkts).toEqual(seen.reference);
  });

  it("admin.portUnification=true: HTTP and HTTPS on the one admin port", async () => {
    const seen = await onBoth({ "admin.portUnification": "true" });
    const ruok = { status: 200, json: { command: "ruok", error: null } };
    expect(seen.reference).toEqual({ https: ruok, curl: ruok.json, wrongCa: { failed: true }, plain: ruok });
    expect(seen.zkts).toEqual(seen.reference);
  });
});

describe("AdminServer over HTTPS on an ensemble member, compared with ZooKeeper 3.8", () => {
  it("admin.forceHttps=true: every member answers its commands over HTTPS only", async () => {
    const seen: Record<string, unknown>[] = [];
    // One kind at a time: two three-member ensembles at once are too much for a small machine.
    for (const start of [startReferenceEnsemble, startZktsEnsemble]) {
      const ports = new Map<number, number>();
      for (let id = 1; id <= 3; id++) ports.set(id, await freePort());
      const ensemble = await start({ voters: 3, memberConfig: (id) => adminKeys(ports.get(id)!, { "admin.forceHttps": "true" }) });
      try {
        const leader = await request(true, ports.get(1)!, "/commands/leader", ca.certPem);
        const body = "json" in leader ? (leader.json as Record<string, unknown>) : {};
        seen.push({
          leader: { command: body.command, error: body.error, has_leader_id: typeof body.leader_id === "number" },
          curl: ((await curl(ports.get(2)!, "/commands/ruok", ca.certPem)) as Record<string, unknown>).command,
          plain: await request(false, ports.get(3)!, "/commands/ruok"),
        });
      } finally {
        await ensemble.cleanup();
      }
    }
    expect(seen[0]).toEqual({ leader: { command: "leader", error: null, has_leader_id: true }, curl: "ruok", plain: { failed: true } });
    expect(seen[1]).toEqual(seen[0]);
  }, 240_000);
});
