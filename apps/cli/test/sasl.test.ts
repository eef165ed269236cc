import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInvocation } from "../src/invocation.js";
import { cli } from "./support/run-cli.js";

/**
 * zkts-cli with SASL DIGEST-MD5: --sasl user:password, or a JAAS file's Client section given by
 * --jaas or, as the Java client finds it, by -Djava.security.auth.login.config in CLIENT_JVMFLAGS;
 * run against ZooKeeper 3.8 and zkts started with the same JAAS file.
 */
const dir = mkdtempSync(join(tmpdir(), "zkts-cli-sasl-"));
const jaasPath = join(dir, "jaas.conf");
const MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";
writeFileSync(
  jaasPath,
  `Server { ${MODULE} required user_bob="secret"; };\n` +
    `Client { ${MODULE} required username="bob" password="secret"; };\n` +
    `Other { ${MODULE} required username="bob" password="wrong"; };\n`,
);
const servers: RunningServer[] = [];

beforeAll(async () => {
  for (const kind of ["reference", "zkts"] as const) {
    servers.push(
      await startServer(kind, {
        config: { "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider" },
        systemProperties: { "java.security.auth.login.config": jaasPath },
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.cleanup()));
  rmSync(dir, { recursive: true, force: true });
});

describe("zkts-cli SASL options", () => {
  it("reads --sasl, --jaas and CLIENT_JVMFLAGS (with zookeeper.sasl.clientconfig)", () => {
    const of = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const invocation = parseInvocation(argv, env);
      return "options" in invocation ? invocation.options.sasl : invocation;
    };
    expect(of(["--sasl", "bob:pa:ss", "ls", "/"])).toEqual({ mechanism: "DIGEST-MD5", username: "bob", password: "pa:ss" });
    expect(of(["--jaas", jaasPath, "ls", "/"])).toEqual({ mechanism: "DIGEST-MD5", username: "bob", password: "secret" });
    const flags = `-Xmx64m -Djava.security.auth.login.config=${jaasPath} -Dzookeeper.sasl.clientconfig=Other`;
    expect(of(["ls", "/"], { CLIENT_JVMFLAGS: flags })).toEqual({ mechanism: "DIGEST-MD5", username: "bob", password: "wrong" });
    expect(of(["ls", "/"], {})).toBeUndefined();
    expect(() => parseInvocation(["--sasl", "nopassword", "ls", "/"], {})).toThrow(/--sasl takes user:password/);
  });

  it("authenticates against ZooKeeper 3.8 and zkts alike: the sasl id, a sasl ACL, a wrong password refused", async () => {
    const seen = [];
    for (const server of servers) {
      const s = ["--server", server.connectString];
      const whoami = await cli([...s, "--sasl", "bob:secret", "whoami"]);
      const created = await cli([...s, "--jaas", jaasPath, "create", "/cli-sasl", "v", "sasl:bob:cdrwa"]);
      const read = await cli([...s, "--sasl", "bob:secret", "get", "/cli-sasl"]);
      const anonymous = await cli([...s, "get", "/cli-sasl"]);
      const wrong = await cli([...s, "--sasl", "bob:wrong", "get", "/cli-sasl"]);
      seen.push({
        whoami: [whoami.code, whoami.stdout],
        created: created.code,
        read: [read.code, read.stdout.trim()],
        anonymous: [anonymous.code, /NOAUTH/.test(anonymous.stderr)],
        wrong: [wrong.code, /AUTHFAILED/.test(wrong.stderr)],
      });
    }
    expect(seen[0]!.whoami[1]).toMatch(/sasl.*bob/);
    expect(seen[0]).toMatchObject({ created: 0, read: [0, "v"], anonymous: [1, true], wrong: [1, true] });
    expect(seen[1]).toEqual(seen[0]);
  });
});
