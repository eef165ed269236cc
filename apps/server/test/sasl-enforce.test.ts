import { AuthPacket, GetDataRequest, GetSASLRequest, OpCode, SetSASLResponse, Xid } from "@zkts/jute";
import { DigestMd5Client, ZOOKEEPER_DIGEST } from "@zkts/sasl";
import { type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawSession } from "./conformance/raw-session.js";
import { JaasFiles, SASL_PROVIDER } from "./sasl/jaas-files.js";
import { zkCliFacts, zktsClientSasl } from "./sasl/probes.js";

/**
 * Enforced authentication, compared with ZooKeeper 3.8: `enforce.auth.enabled` with
 * `enforce.auth.schemes=sasl,digest`, and `sessionRequireClientSASLAuth=true` (the schemes
 * ["sasl"]). A session without an id of an enforced scheme gets SESSIONCLOSEDREQUIRESASLAUTH
 * (-124, zxid 0) on any request, pings included, and its connection closes; a failed SASL
 * exchange is answered the same way. Raw sessions show the wire; zkCli.sh and @zkts/client
 * what users see.
 */
const KINDS: ServerKind[] = ["reference", "zkts"];
const MODES = ["enforce.auth.schemes=sasl,digest", "sessionRequireClientSASLAuth"] as const;
type Mode = (typeof MODES)[number];
const jaas = new JaasFiles();
let jaasPath: string;
const servers = new Map<string, RunningServer>();

const MODE_KEYS: Record<Mode, Record<string, string>> = {
  "enforce.auth.schemes=sasl,digest": { "enforce.auth.enabled": "true", "enforce.auth.schemes": "sasl,digest" },
  sessionRequireClientSASLAuth: { sessionRequireClientSASLAuth: "true" },
};

beforeAll(async () => {
  jaasPath = jaas.write("jaas.conf", { Server: { user_bob: "secret" }, Client: { username: "bob", password: "secret" } });
  const runs = MODES.flatMap((mode) => KINDS.map((kind) => ({ mode, kind })));
  const started = await Promise.all(
    runs.map(({ mode, kind }) =>
      startServer(kind, {
        config: { "authProvider.1": SASL_PROVIDER, ...MODE_KEYS[mode] },
        systemProperties: { "java.security.auth.login.config": jaasPath },
      }),
    ),
  );
  runs.forEach(({ mode, kind }, i) => servers.set(`${mode}/${kind}`, started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.cleanup()));
  jaas.cleanup();
});

async function onBoth<T>(mode: Mode, scenario: (s: RunningServer) => Promise<T>): Promise<{ reference: T; zkts: T }> {
  const [reference, zkts] = await Promise.all(KINDS.map((kind) => scenario(servers.get(`${mode}/${kind}`)!)));
  return { reference: reference!, zkts: zkts! };
}

/** A request on a raw session: its error and zxid, and whether the connection closed after it. */
async function answer(session: RawSession, type: number, body: Parameters<RawSession["request"]>[1], xid?: number) {
  const reply = await session.request(type, body, xid);
  if (reply.err !== 0 && !session.closed) await Promise.race([session.whenClosed(), new Promise((r) => setTimeout(r, 3000))]);
  return { err: reply.err, zxid: reply.zxid, closed: session.closed };
}

const getRoot = (w: Parameters<typeof GetDataRequest.write>[0]) => GetDataRequest.write(w, { path: "/", watch: false });

/** Runs a DIGEST-MD5 exchange on a raw session; the last answer's error and whether the connection closed. */
async function saslExchange(session: RawSession, password: string) {
  const client = new DigestMd5Client({ ...ZOOKEEPER_DIGEST, username: "bob", password, cnonce: () => "cnonce" });
  let token: Buffer | null = client.start();
  for (let round = 0; round < 3 && token !== null; round++) {
    const sent: Buffer = token;
    const reply = await session.request(OpCode.sasl, (w) => GetSASLRequest.write(w, { token: sent }));
    if (reply.err !== 0) {
      await Promise.race([session.whenClosed(), new Promise((r) => setTimeout(r, 3000))]);
      return { err: reply.err, closed: session.closed };
    }
    token = client.evaluate(SetSASLResponse.read(reply.body).token ?? Buffer.alloc(0));
  }
  return { err: 0, complete: client.complete, closed: session.closed };
}

describe.each(MODES)("enforced authentication (%s), compared with ZooKeeper 3.8", (mode) => {
  it("refuses every request of an unauthenticated session, pings too, with -124 and a closed connection", async () => {
    const seen = await onBoth(mode, async (s) => ({
      getData: await answer(await RawSession.connect(s.port), OpCode.getData, getRoot),
      ping: await answer(await RawSession.connect(s.port), OpCode.ping, null, Xid.ping),
    }));
    expect(seen.reference).toEqual({ getData: { err: -124, zxid: 0n, closed: true }, ping: { err: -124, zxid: 0n, closed: true } });
    expect(seen.zkts).toEqual(seen.reference);
  });

  it("serves a session once SASL completes, refuses a wrong password with -124, and takes digest only where enforced", async () => {
    const seen = await onBoth(mode, async (s) => {
      const good = await RawSession.connect(s.port);
      const goodSasl = await saslExchange(good, "secret");
      const afterGood = await answer(good, OpCode.getData, getRoot);
      const bad = await RawSession.connect(s.port);
      const badSasl = await saslExchange(bad, "wrong");
      const digest = await RawSession.connect(s.port);
      const added = await digest.request(OpCode.auth, (w) => AuthPacket.write(w, { type: 0, scheme: "digest", auth: Buffer.from("bob:secret") }), Xid.auth);
      const afterDigest = await answer(digest, OpCode.getData, getRoot);
      good.drop();
      digest.drop();
      return { goodSasl, afterGood: afterGood.err, badSasl, addauth: added.err, afterDigest: afterDigest.err };
    });
    expect(seen.reference.goodSasl).toEqual({ err: 0, complete: true, closed: false });
    expect(seen.reference.afterGood).toBe(0);
    expect(seen.reference.badSasl).toEqual({ err: -124, closed: true });
    expect(seen.reference.afterDigest).toBe(mode === "sessionRequireClientSASLAuth" ? -124 : 0);
    expect(seen.zkts).toEqual(seen.reference);
  });

  it("lets zkCli.sh and @zkts/client in with SASL; zkCli.sh without a JAAS file sees its requests fail", async () => {
    const seen = await onBoth(mode, async (s) => ({
      zkCli: await zkCliFacts(s.connectString, ["create /enforced e", "get /enforced"], jaasPath),
      zkCliAnonymous: (await zkCliFacts(s.connectString, ["ls /"], null)).filter((l) => /KeeperErrorCode/.test(l)),
      zktsClient: await zktsClientSasl(s.port, "/zookeeper", "bob", "secret"),
    }));
    expect(seen.reference.zkCli).toEqual([expect.stringContaining("SaslAuthenticated"), "Created /enforced"]);
    expect((seen.reference.zktsClient as { whoAmI: unknown }).whoAmI).toEqual([
      { authScheme: "sasl", user: "bob" },
      { authScheme: "ip", user: "127.0.0.1" },
    ]);
    expect(seen.zkts).toEqual(seen.reference);
  });
});
