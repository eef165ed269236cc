import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot, startServer } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { systemPropertiesOf } from "../src/jvm-flags.js";
import { parseProperties } from "../src/properties.js";
import { ConfigError, configFromProperties } from "../src/zoo-cfg.js";
import { JaasFiles, SASL_PROVIDER } from "./sasl/jaas-files.js";

/**
 * How zkts reads SASL, enforced authentication and quorum SASL from zoo.cfg, SERVER_JVMFLAGS
 * and the JAAS file; what ZooKeeper 3.8 refuses at start is refused (status 2), and Kerberos.
 */
const jaas = new JaasFiles();
const base = "tickTime=2000\ndataDir=/data\nclientPort=2181\n";
const parse = (text: string, flags?: string) => configFromProperties(parseProperties(text), "/base", systemPropertiesOf(flags)).config;

afterAll(() => jaas.cleanup());

describe("SASL configuration", () => {
  const path = jaas.write("server.conf", {
    Server: { user_bob: "secret", user_super: "jaas-super" },
    QuorumServer: { user_zk: "q" },
    QuorumLearner: { username: "zk", password: "q" },
  });

  it("reads the Server section's users from jaasLoginConfig, or from -Djava.security.auth.login.config in SERVER_JVMFLAGS", () => {
    const fromCfg = parse(`${base}jaasLoginConfig=${path}\n`);
    const fromFlags = parse(base, `-Xmx1g '-Djava.security.auth.login.config=${path}' -XX:+UseG1GC`);
    for (const config of [fromCfg, fromFlags]) {
      expect(config.clientSasl?.users).toEqual(
        new Map([
          ["bob", "secret"],
          ["super", "jaas-super"],
        ]),
      );
      expect(config.saslAuthProvider).toBe(false);
    }
    expect(parse(base).clientSasl).toBeNull();
  });

  it("takes -Dzookeeper.* flags as zoo.cfg keys, zoo.cfg winning where both set one", () => {
    const config = parse(
      `${base}jaasLoginConfig=${path}\nallowSaslFailedClients=false\n`,
      `-Dzookeeper.authProvider.1=${SASL_PROVIDER} -Dzookeeper.sessionRequireClientSASLAuth=true -Dzookeeper.allowSaslFailedClients=true -Dzookeeper.superUser=bob`,
    );
    expect(config.saslAuthProvider).toBe(true);
    expect(config.enforceAuth).toEqual({ schemes: ["sasl"], saslRequired: true });
    expect(config.clientSasl?.allowFailedClients).toBe(false);
    expect(config.clientSasl?.superUsers).toEqual(["bob"]);
  });

  it("reads zookeeper.letAnySaslUserDoX from zoo.cfg (with or without the prefix) or SERVER_JVMFLAGS", () => {
    expect(parse(base).letAnySaslUserDoX).toBeNull();
    expect(parse(`${base}letAnySaslUserDoX=everyone\n`).letAnySaslUserDoX).toBe("everyone");
    expect(parse(`${base}zookeeper.letAnySaslUserDoX=everyone\n`).letAnySaslUserDoX).toBe("everyone");
    expect(parse(base, "-Dzookeeper.letAnySaslUserDoX=everyone").letAnySaslUserDoX).toBe("everyone");
    const parsed = configFromProperties(parseProperties(`${base}zookeeper.letAnySaslUserDoX=everyone\n`), "/base");
    expect(parsed.ignoredKeys).toEqual([]);
  });

  it("reads enforce.auth.* as AuthenticationHelper does", () => {
    expect(parse(`${base}enforce.auth.enabled=true\nenforce.auth.schemes=digest, ip\n`).enforceAuth).toEqual({
      schemes: ["digest", "ip"],
      saslRequired: false,
    });
    expect(parse(`${base}enforce.auth.enabled=false\nenforce.auth.schemes=digest\n`).enforceAuth).toBeNull();
    expect(parse(`${base}authProvider.1=${SASL_PROVIDER}\nenforce.auth.enabled=true\nenforce.auth.schemes=sasl\n`).enforceAuth?.saslRequired).toBe(true);
  });

  it("reads quorum.auth.* and the two quorum login sections", () => {
    const config = parse(
      `${base}jaasLoginConfig=${path}\nquorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\nquorum.auth.serverRequireSasl=true\n`,
    );
    expect(config.quorumSasl).toEqual({
      learnerRequireSasl: true,
      serverRequireSasl: true,
      learner: { username: "zk", password: "q" },
      serverUsers: new Map([["zk", "q"]]),
    });
  });

  const kerberos = jaas.dir + "/kerberos.conf";
  writeFileSync(kerberos, `Server { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/k" principal="zookeeper/h@R"; };\n`);

  it.each([
    [`jaasLoginConfig=${kerberos}\n`, /JAAS section "Server" .* uses Kerberos \(Krb5LoginModule\): zkts serves SASL DIGEST-MD5 only/],
    ["jaasLoginConfig=/no/such/jaas.conf\n", /^jaasLoginConfig: cannot read the JAAS file/],
    ["java.security.auth.login.config=/etc/jaas.conf\n", /never from zoo.cfg; name it with jaasLoginConfig/],
    [`jaasLoginConfig=${path}\nsasl.serverconfig=Elsewhere\n`, /^sasl.serverconfig: no JAAS section "Elsewhere"/],
    ["sessionRequireClientSASLAuth=true\n", /^sessionRequireClientSASLAuth: authentication scheme "sasl" is not available \(load it with authProvider/],
    ["enforce.auth.enabled=true\n", /enforce.auth.schemes must be configured/],
    ["enforce.auth.enabled=true\nenforce.auth.schemes=x509\n", /authentication scheme "x509" is not available/],
    ["enforce.auth.enabled=yes\nenforce.auth.schemes=digest\n", /^enforce.auth.enabled: expected true or false/],
    ["quorum.auth.serverRequireSasl=true\n", /needs quorum.auth.enableSasl=true/],
    ["quorum.auth.enableSasl=true\nquorum.auth.serverRequireSasl=true\n", /serverRequireSasl needs quorum.auth.learnerRequireSasl=true/],
    ["quorum.auth.enableSasl=true\n", /no JAAS file is configured/],
    [`jaasLoginConfig=${path}\nquorum.auth.enableSasl=true\nquorum.auth.learner.saslLoginContext=Nope\n`, /no JAAS section "Nope"/],
  ])("refuses %j", (extra, message) => {
    expect(() => parse(`${base}${extra}`)).toThrowError(ConfigError);
    expect(() => parse(`${base}${extra}`)).toThrowError(message);
  });
});

describe("zkts-server and ZooKeeper 3.8 at start", () => {
  const run = promisify(execFile);

  it("both refuse to start with sessionRequireClientSASLAuth and no SASL provider; zkts says why, status 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-sasl-cfg-"));
    writeFileSync(join(dir, "zoo.cfg"), `tickTime=2000\ndataDir=${dir}\nclientPort=0\nsessionRequireClientSASLAuth=true\n`);
    const failure = await run(process.execPath, [join(repoRoot, "apps/server/dist/main.js"), "--config", join(dir, "zoo.cfg")]).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^zkts-server: sessionRequireClientSASLAuth: authentication scheme "sasl" is not available/);
    const reference = await startServer("reference", { config: { sessionRequireClientSASLAuth: "true" }, startTimeoutMs: 20_000 }).then(
      async (s) => {
        await s.cleanup();
        return "started";
      },
      (err: Error) => (/Authentication scheme sasl is not available/.test(err.message) ? "refused: sasl is not available" : err.message),
    );
    expect(reference).toBe("refused: sasl is not available");
  });
});
