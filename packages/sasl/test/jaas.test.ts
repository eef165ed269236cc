import { describe, expect, it } from "vitest";
import { JaasSyntaxError, digestCredentialsOf, digestUsersOf, isKerberosModule, parseJaasConfig } from "../src/index.js";

describe("JAAS login configuration", () => {
  it("reads ZooKeeper's DIGEST sections, with comments, quoted and bare values", () => {
    const config = parseJaasConfig(`
      // the server's users
      Server {
        org.apache.zookeeper.server.auth.DigestLoginModule required
        user_bob="secret"
        user_super="a \\"quoted\\" pw;}" /* inline */ user_plain=word;
      };
      # the client
      Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="bob" password="secret"; };
      QuorumServer {
        org.apache.zookeeper.server.auth.DigestLoginModule Required user_zk="q1";
        org.apache.zookeeper.server.auth.DigestLoginModule optional user_zk2="q2";
      };
    `);
    expect([...config.keys()]).toEqual(["Server", "Client", "QuorumServer"]);
    expect(digestUsersOf(config.get("Server")!)).toEqual(
      new Map([
        ["bob", "secret"],
        ["super", 'a "quoted" pw;}'],
        ["plain", "word"],
      ]),
    );
    expect(digestCredentialsOf(config.get("Client")!)).toEqual({ username: "bob", password: "secret" });
    expect(digestUsersOf(config.get("QuorumServer")!)).toEqual(
      new Map([
        ["zk", "q1"],
        ["zk2", "q2"],
      ]),
    );
    expect(config.get("QuorumServer")![0]!.flag).toBe("required");
  });

  it("tells Kerberos sections apart", () => {
    const config = parseJaasConfig(`Server { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/k" principal="zookeeper/h@R"; };`);
    expect(isKerberosModule(config.get("Server")![0]!)).toBe(true);
  });

  it.each([
    ['Server { x required a="b" }', /expected ";"|expected an option/],
    ["Server { x mandatory; };", /control flag|required, requisite/],
    ["Server { x required a=; };", /has no value/],
    ['Server { x required a="b;', /unterminated string/],
    ["Server x", /expected "\{"/],
  ])("refuses %j", (text, message) => {
    expect(() => parseJaasConfig(text)).toThrow(JaasSyntaxError);
    expect(() => parseJaasConfig(text)).toThrow(message);
  });
});
