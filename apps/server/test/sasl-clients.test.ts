import { ErrorCode, GetDataRequest, GetSASLRequest, OpCode, SetSASLResponse } from "@zkts/jute";
import { type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawSession } from "./conformance/raw-session.js";
import { JaasFiles, SASL_PROVIDER } from "./sasl/jaas-files.js";
import { kazooSasl, zkCliFacts, zktsClientSasl } from "./sasl/probes.js";

/**
 * SASL DIGEST-MD5 on the client port, driven by real clients: zkCli.sh (the Java client under
 * a JAAS Client section), kazoo with sasl_options (pure-sasl) and @zkts/client. Every scenario
 * runs against ZooKeeper 3.8 and zkts started with the same JAAS file as a JVM system property
 * (zkts reads it from SERVER_JVMFLAGS), and what the clients see must match: the
 * authenticated id, sasl ACLs, the refusal of a wrong password.
 */
const KINDS: ServerKind[] = ["reference", "zkts"];
const jaas = new JaasFiles();
let jaasPath: string;
const servers = new Map<ServerKind, RunningServer>();

beforeAll(async () => {
  jaasPath = jaas.write("jaas.conf", {
    Server: { user_bob: "secret", user_carol: "c4rol" },
    Client: { username: "bob", password: "secret" },
    WrongPassword: { username: "bob", password: "not-the-secret" },
    Carol: { username: "carol", password: "c4rol" },
  });
  const started = await Promise.all(
    KINDS.map((kind) => startServer(kind, { config: { "authProvider.1": SASL_PROVIDER }, systemProperties: { "java.security.auth.login.config": jaasPath } })),
  );
  KINDS.forEach((kind, i) => servers.set(kind, started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.cleanup()));
  jaas.cleanup();
});

async function onBoth<T>(scenario: (s: RunningServer) => Promise<T>): Promise<{ reference: T; zkts: T }> {
  const [reference, zkts] = await Promise.all(KINDS.map((kind) => scenario(servers.get(kind)!)));
  return { reference: reference!, zkts: zkts! };
}

describe("SASL DIGEST-MD5 for clients, compared with ZooKeeper 3.8", () => {
  it("authenticates zkCli.sh under a JAAS Client section as sasl:bob, whose sasl ACL it then reads", async () => {
    const seen = await onBoth((s) => zkCliFacts(s.connectString, ["whoami", "create /zk-cli x sasl:bob:cdrwa", "getAcl /zk-cli", "get /zk-cli"], jaasPath));
    // zkCli prints "Created" on stderr, which comes after stdout here.
    expect(seen.reference).toEqual([
      expect.stringContaining("state:SaslAuthenticated"),
      "sasl: bob",
      "ip: 127.0.0.1",
      "'sasl,'bob",
      ": cdrwa",
      "x",
      "Created /zk-cli",
    ]);
    expect(seen.zkts).toEqual(seen.reference);
  }, 120_000);

  it("keeps another SASL user and an unauthenticated client out of sasl:bob's node", async () => {
    const seen = await onBoth(async (s) => ({
      carol: await zkCliFacts(s.connectString, ["create /only-bob x sasl:bob:cdrwa", "get /only-bob"], jaasPath, "Carol"),
      anonymous: await kazooSasl(s.port, "/only-bob", null),
      bob: await kazooSasl(s.port, "/only-bob", { username: "bob", password: "secret" }),
    }));
    expect(seen.reference.carol.some((l) => /Insufficient permission|NoAuth/.test(l))).toBe(true);
    // 3.8 checks READ or ADMIN on getACL too, so the ACL itself is hidden from strangers.
    expect(seen.reference.anonymous).toEqual({ readError: "NoAuthError" });
    expect(seen.reference.bob).toEqual({ acl: [["sasl", "bob", 31]], data: "x" });
    expect(seen.zkts).toEqual(seen.reference);
  }, 120_000);

  it("refuses a wrong password: zkCli.sh gets AuthFailed, kazoo AuthFailedError, @zkts/client AUTHFAILED", async () => {
    const seen = await onBoth(async (s) => ({
      zkCli: (await zkCliFacts(s.connectString, ["ls /"], jaasPath, "WrongPassword")).filter((l) => l.includes("AuthFailed")).length > 0,
      kazoo: (await kazooSasl(s.port, "/", { username: "bob", password: "not-the-secret" })).authFailed === true,
      kazooUnknownUser: (await kazooSasl(s.port, "/", { username: "mallory", password: "secret" })).authFailed === true,
      zktsClient: await zktsClientSasl(s.port, "/", "bob", "not-the-secret"),
    }));
    expect(seen.reference.zkCli).toBe(true);
    // kazoo reports the refusal from start() (KazooTimeoutError) or from the first request
    // (AuthFailedError), whichever of its threads runs first; its connection thread logs
    // AUTH_FAILED either way, and that is what is compared.
    expect(seen.reference.kazoo).toBe(true);
    expect(seen.reference.zktsClient).toEqual({ connectError: ErrorCode.AUTHFAILED });
    // A user missing from the Server section is refused by zkts. ZooKeeper 3.8 may let it in:
    // its callback handler is shared by every connection and keeps the last user name it
    // found, whose password then checks the stranger's response (bob's password lets
    // "mallory" in after bob logged in). zkts does not reproduce that.
    expect(seen.zkts.kazooUnknownUser).toBe(true);
    const { kazooUnknownUser: _z, ...zkts } = seen.zkts;
    const { kazooUnknownUser: _r, ...reference } = seen.reference;
    expect(zkts).toEqual(reference);
  }, 120_000);

  it("gives @zkts/client the same whoAmI, ACL and data as ZooKeeper", async () => {
    const seen = await onBoth(async (s) => {
      await zkCliFacts(s.connectString, ["create /zkts-client y sasl:carol:r"], jaasPath, "Carol");
      return zktsClientSasl(s.port, "/zkts-client", "carol", "c4rol");
    });
    expect(seen.reference).toEqual({
      whoAmI: [
        { authScheme: "sasl", user: "carol" },
        { authScheme: "ip", user: "127.0.0.1" },
      ],
      acl: [["sasl", "carol", 1]],
      data: "y",
    });
    expect(seen.zkts).toEqual(seen.reference);
  }, 120_000);

  it("answers a raw sasl exchange with ZooKeeper's challenge, then AUTHFAILED and a closed connection for garbage", async () => {
    const seen = await onBoth(async (s) => {
      const session = await RawSession.connect(s.port);
      const first = await session.request(OpCode.sasl, (w) => GetSASLRequest.write(w, { token: Buffer.alloc(0) }));
      const challenge = SetSASLResponse.read(first.body)
        .token!.toString()
        .replace(/nonce="[^"]+"/, 'nonce="…"');
      const second = await session.request(OpCode.sasl, (w) => GetSASLRequest.write(w, { token: Buffer.from("username=bob") }));
      const after = await session.request(OpCode.getData, (w) => GetDataRequest.write(w, { path: "/", watch: false }));
      return { first: [first.err, first.zxid], challenge, second: [second.err, second.zxid], after: after.err, closed: session.closed };
    });
    expect(seen.reference).toEqual({
      first: [0, 0n],
      challenge: 'realm="zk-sasl-md5",nonce="…",charset=utf-8,algorithm=md5-sess',
      second: [ErrorCode.AUTHFAILED, 0n],
      after: ErrorCode.CONNECTIONLOSS,
      closed: true,
    });
    expect(seen.zkts).toEqual(seen.reference);
  });
});

describe("zookeeper.letAnySaslUserDoX, compared with ZooKeeper 3.8", () => {
  // As the property is read by both servers: given with -D in the JVM flags (zkts reads them
  // from SERVER_JVMFLAGS). Every SASL user then passes an ACL naming "sasl-users".
  const withProperty = new Map<ServerKind, RunningServer>();

  beforeAll(async () => {
    const started = await Promise.all(
      KINDS.map((kind) =>
        startServer(kind, {
          config: { "authProvider.1": SASL_PROVIDER },
          systemProperties: { "java.security.auth.login.config": jaasPath, "zookeeper.letAnySaslUserDoX": "sasl-users" },
        }),
      ),
    );
    KINDS.forEach((kind, i) => withProperty.set(kind, started[i]!));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...withProperty.values()].map((s) => s.cleanup()));
  });

  it("lets every SASL user through an ACL naming the id, but not an anonymous client nor into another user's node", async () => {
    const seen = await Promise.all(
      KINDS.map(async (kind) => {
        const s = withProperty.get(kind)!;
        await zkCliFacts(s.connectString, ["create /for-sasl-users x sasl:sasl-users:r", "create /only-bob y sasl:bob:r"], jaasPath);
        return {
          carol: await kazooSasl(s.port, "/for-sasl-users", { username: "carol", password: "c4rol" }),
          bob: await kazooSasl(s.port, "/for-sasl-users", { username: "bob", password: "secret" }),
          anonymous: await kazooSasl(s.port, "/for-sasl-users", null),
          carolOnBobsNode: await kazooSasl(s.port, "/only-bob", { username: "carol", password: "c4rol" }),
        };
      }),
    );
    const [reference, zkts] = seen;
    expect(reference).toEqual({
      carol: { acl: [["sasl", "sasl-users", 1]], data: "x" },
      bob: { acl: [["sasl", "sasl-users", 1]], data: "x" },
      anonymous: { readError: "NoAuthError" },
      carolOnBobsNode: { readError: "NoAuthError" },
    });
    expect(zkts).toEqual(reference);
  });
});
