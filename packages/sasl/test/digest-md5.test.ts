import { describe, expect, it } from "vitest";
import { DigestMd5Client, DigestMd5Server, SaslError, ZOOKEEPER_DIGEST, parseDirectives } from "../src/index.js";

/** A server that knows the given users and authorizes each as itself. */
function server(users: Record<string, string>, nonce: string, names: { protocol: string; serverName: string } = ZOOKEEPER_DIGEST) {
  return new DigestMd5Server({
    ...names,
    passwordOf: (u) => users[u] ?? null,
    authorize: (authn, authz) => (authn === authz ? authn : null),
    nonce: () => nonce,
  });
}

function client(username: string, password: string, cnonce: string, names: { protocol: string; serverName: string } = ZOOKEEPER_DIGEST) {
  return new DigestMd5Client({ ...names, username, password, cnonce: () => cnonce });
}

describe("DIGEST-MD5 against recorded exchanges", () => {
  it("verifies the response of RFC 2831's example and answers its rspauth", () => {
    const names = { protocol: "imap", serverName: "elwood.innosoft.com" };
    const s = server({ chris: "secret" }, "OA6MG9tEQGm2hh", names);
    s.evaluate(Buffer.alloc(0));
    const response =
      'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,' +
      'cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth';
    expect(s.evaluate(Buffer.from(response)).toString()).toBe("rspauth=ea40f60335c427b5527b84dbabcdfffd");
    expect(s.complete).toBe(true);
    expect(s.authorizationId).toBe("chris");
  });

  it("computes RFC 2831's example response as a client", () => {
    const names = { protocol: "imap", serverName: "elwood.innosoft.com" };
    const c = client("chris", "secret", "OA6MHXh6VqTrRk", names);
    c.start();
    const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
    const response = parseDirectives(c.evaluate(Buffer.from(challenge))!);
    expect(response.get("response")).toEqual(["d388dad90d4bbd760a152321f2143af7"]);
    expect(c.evaluate(Buffer.from("rspauth=ea40f60335c427b5527b84dbabcdfffd"))).toBeNull();
    expect(c.complete).toBe(true);
  });

  it("accepts the response kazoo (pure-sasl) sent to ZooKeeper 3.8 and the rspauth ZooKeeper answered", () => {
    // Recorded from kazoo 2.8 against ZooKeeper 3.8.0 with user_bob="secret": no charset in
    // the response, qop unquoted and first.
    const nonce = "/gOLmBB2qFjXgS942DYgOcnk3+JXA15zkbMT26H6";
    const s = server({ bob: "secret" }, nonce);
    expect(s.evaluate(Buffer.alloc(0)).toString()).toBe(`realm="zk-sasl-md5",nonce="${nonce}",charset=utf-8,algorithm=md5-sess`);
    const response =
      `qop=auth,realm="zk-sasl-md5",username="bob",nonce="${nonce}",cnonce="05838255814491822",nc=00000001,` +
      'digest-uri="zookeeper/zk-sasl-md5",response=c0aa6309f2c002b55e6d15045848ec28';
    expect(s.evaluate(Buffer.from(response)).toString()).toBe("rspauth=208d4060ce457147fdae1be290934264");
    expect(s.authorizationId).toBe("bob");
  });
});

describe("DIGEST-MD5 client against server", () => {
  const exchange = (user: string, password: string, users: Record<string, string>) => {
    const s = server(users, "n0nce+/=");
    const c = client(user, password, "cn0nce");
    const challenge = s.evaluate(c.start());
    const response = c.evaluate(challenge)!;
    const rspauth = s.evaluate(response);
    expect(c.evaluate(rspauth)).toBeNull();
    return { s, c };
  };

  it("completes with the right password, on both sides", () => {
    const { s, c } = exchange("bob", "secret", { bob: "secret" });
    expect(s.complete && c.complete).toBe(true);
    expect(s.authorizationId).toBe("bob");
  });

  it("hashes names and passwords beyond ISO 8859-1 as UTF-8 and the rest as ISO 8859-1", () => {
    expect(exchange("bjørn", "pässwörd", { bjørn: "pässwörd" }).s.authorizationId).toBe("bjørn");
    expect(exchange("用户", '密码"\\', { 用户: '密码"\\' }).s.authorizationId).toBe("用户");
  });

  it("refuses a wrong password, an unknown user, and stays failed", () => {
    expect(() => exchange("bob", "wrong", { bob: "secret" })).toThrow(/Mismatched response/);
    expect(() => exchange("eve", "secret", { bob: "secret" })).toThrow(/cannot acquire password for eve/);
    const s = server({ bob: "secret" }, "n");
    s.evaluate(Buffer.alloc(0));
    expect(() => s.evaluate(Buffer.from("garbage"))).toThrow(SaslError);
    expect(() => s.evaluate(Buffer.alloc(0))).toThrow(/failed/);
  });

  it("refuses a replayed nonce count, another nonce, another service and an initial response", () => {
    const s1 = server({ bob: "secret" }, "n1");
    const c1 = client("bob", "secret", "c");
    const response = c1.evaluate(s1.evaluate(c1.start()))!.toString();
    const again = () => {
      const s = server({ bob: "secret" }, "n1");
      s.evaluate(Buffer.alloc(0));
      return s;
    };
    expect(() => again().evaluate(Buffer.from(response.replace("nc=00000001", "nc=00000002")))).toThrow(/nonce count/);
    const other = server({ bob: "secret" }, "n2");
    other.evaluate(Buffer.alloc(0));
    expect(() => other.evaluate(Buffer.from(response))).toThrow(/nonce/);
    expect(() => again().evaluate(Buffer.from(response.replace("zookeeper/zk-sasl-md5", "zookeeper/elsewhere")))).toThrow(/digest-uri/);
    expect(() => server({ bob: "secret" }, "n").evaluate(Buffer.from("x"))).toThrow(/initial response/);
  });

  it("refuses a server whose rspauth does not prove the password", () => {
    const c = client("bob", "secret", "c");
    c.start();
    c.evaluate(Buffer.from('realm="zk-sasl-md5",nonce="n",charset=utf-8,algorithm=md5-sess'));
    expect(() => c.evaluate(Buffer.from("rspauth=00000000000000000000000000000000"))).toThrow(/rspauth/);
  });

  it("refuses an authorization the server's policy denies", () => {
    const s = new DigestMd5Server({ ...ZOOKEEPER_DIGEST, passwordOf: () => "pw", authorize: () => null, nonce: () => "n" });
    const c = client("bob", "pw", "c");
    expect(() => s.evaluate(c.evaluate(s.evaluate(c.start()))!)).toThrow(/not authorized/);
  });
});
