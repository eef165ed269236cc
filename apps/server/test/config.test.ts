import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { parseProperties } from "../src/properties.js";
import { ConfigError, configFromProperties } from "../src/zoo-cfg.js";
import { tlsSettingsFrom } from "../src/tls-cfg.js";

const parse = (text: string) => configFromProperties(parseProperties(text), "/base");
const base = "tickTime=2000\ndataDir=/var/zk\nclientPort=2181\n";

describe("zoo.cfg parsing", () => {
  it("reads ZooKeeper's keys and derives the session timeout bounds from tickTime", () => {
    const { config } = parse(`${base}maxClientCnxns=7\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=ruok, mntr\n`);
    expect(config.tickTime).toBe(2000);
    expect(config.dataDir).toBe("/var/zk");
    expect(config.dataLogDir).toBe("/var/zk");
    expect(config.clientPort).toBe(2181);
    expect(config.clientPortAddress).toBe("127.0.0.1");
    expect(config.maxClientCnxns).toBe(7);
    expect(config.minSessionTimeout).toBe(4000);
    expect(config.maxSessionTimeout).toBe(40000);
    expect(config.fourLetterWords).toEqual(new Set(["ruok", "mntr"]));
  });

  it("takes ZooKeeper's system-property settings from zoo.cfg, with or without the zookeeper. prefix", () => {
    const { config } = parse(
      `${base}extendedTypesEnabled=true\nzookeeper.enforceQuota=true\njute.maxbuffer=4096\n` +
        `DigestAuthenticationProvider.superDigest=super:abc=\nreadonlymode.enabled=true\nskipACL=yes\n`,
    );
    expect(config.extendedTypesEnabled).toBe(true);
    expect(config.enforceQuota).toBe(true);
    expect(config.juteMaxBuffer).toBe(4096);
    expect(config.superDigest).toBe("super:abc=");
    expect(config.readOnlyModeEnabled).toBe(true);
    expect(config.skipAcl).toBe(true);
    expect(config.fourLetterWords).toEqual(new Set(["srvr", "isro"]));
  });

  it("reads autopurge.purgeInterval as ZooKeeper does: 0 or less (-1 is common) schedules no purge", () => {
    expect(parse(`${base}autopurge.purgeInterval=-1\n`).config.purgeIntervalHours).toBe(0);
    expect(parse(`${base}autopurge.purgeInterval=0\n`).config.purgeIntervalHours).toBe(0);
    expect(parse(`${base}autopurge.purgeInterval=24\n`).config.purgeIntervalHours).toBe(24);
    expect(() => parse(`${base}autopurge.purgeInterval=daily\n`)).toThrowError(/^autopurge.purgeInterval: expected an integer/);
  });

  it("reads escapes and trims keys and values as java.util.Properties and QuorumPeerConfig do", () => {
    const props = parseProperties("key\\ one = a\\tb \nkey2=\\u0041\\\\x\t\n");
    expect([...props]).toEqual([
      ["key one", "a\tb"],
      ["key2", "A\\x"],
    ]);
    expect(() => parseProperties("key=\\u00zz\n")).toThrowError(/^zoo.cfg: Malformed \\uxxxx encoding/);
  });

  it("resolves relative directories against the working directory", () => {
    const { config } = parse("tickTime=2000\ndataDir=data\ndataLogDir=logs\nclientPort=1\n");
    expect(config.dataDir).toBe("/base/data");
    expect(config.dataLogDir).toBe("/base/logs");
  });

  it("lists Java-only keys as ignored instead of failing", () => {
    const { ignoredKeys } = parse(`${base}serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\njvm.flags=-Xmx1g\nautopurge.purgeInterval=1\n`);
    // metricsProvider.* is served (metrics-config.test.ts).
    expect(ignoredKeys).toEqual(["serverCnxnFactory", "jvm.flags"]);
  });

  it.each([
    ["ssl.context.supplier.class=com.example.Supplier", "ssl.context.supplier.class: this TLS option"],
    ["ssl.authProvider=custom", "ssl.authProvider: this TLS option"],
    ["authProvider.1=com.example.CustomAuthenticationProvider", "authProvider.1: authentication providers"],
    ["X509AuthenticationProvider.keyManager=com.example.KeyManager", "X509AuthenticationProvider.keyManager: this x509 provider option"],
    [
      "quorum.auth.kerberos.servicePrincipal=zkquorum/localhost",
      "quorum.auth.kerberos.servicePrincipal: Kerberos (GSSAPI) between members (zkts serves DIGEST-MD5)",
    ],
    ["kerberos.removeHostFromPrincipal=true", "kerberos.removeHostFromPrincipal: Kerberos (GSSAPI)"],
  ])("refuses %j, a protection it does not give, naming the key", (line, start) => {
    expect(() => parse(`${base}${line}\n`)).toThrowError(ConfigError);
    expect(() => parse(`${base}${line}\n`)).toThrowError(new RegExp(`^${start.replace(/[.()]/g, "\\$&")} is not supported by zkts yet`));
  });

  it("serves ssl.crl and ssl.quorum.crl (tls-crl.test.ts runs them) and refuses OCSP, saying what to use instead", () => {
    const get = (text: string) => (key: string) => parseProperties(text).get(key);
    expect(tlsSettingsFrom(get("ssl.crl=true\n"), "ssl", "/base").crl).toBe(true);
    expect(tlsSettingsFrom(get("ssl.quorum.crl=true\n"), "ssl.quorum", "/base").crl).toBe(true);
    expect(tlsSettingsFrom(get(""), "ssl", "/base").crl).toBe(false);
    expect(parse(`${base}ssl.crl=true\nssl.quorum.crl=false\n`).ignoredKeys).toEqual([]);
    expect(() => tlsSettingsFrom(get("ssl.crl=maybe\n"), "ssl", "/base")).toThrowError(/^ssl\.crl: expected true or false/);
    for (const key of ["ssl.ocsp", "zookeeper.ssl.quorum.ocsp"]) {
      expect(() => parse(`${base}${key}=true\n`)).toThrowError(
        new RegExp(`^${key.replace(/\./g, "\\.")}: OCSP revocation checks are not supported by zkts .*set ssl\\.crl=true`),
      );
    }
    expect(() => parse(`${base}ssl.ocsp=false\n`)).not.toThrow();
  });

  it("serves admin.forceHttps and admin.portUnification with the ssl.quorum.* key store, which they need (tls-admin.test.ts runs them)", () => {
    expect(parse(`${base}admin.forceHttps=false\nadmin.portUnification=false\n`).config.adminTls).toBeNull();
    for (const key of ["admin.forceHttps", "zookeeper.admin.portUnification"]) {
      expect(() => parse(`${base}${key}=true\n`)).toThrowError(/^ssl\.quorum\.keyStore\.location is required with admin\.(forceHttps|portUnification)/);
    }
    // The client port's key store is not the AdminServer's.
    expect(() => parse(`${base}admin.forceHttps=true\nssl.keyStore.location=/k.p12\n`)).toThrowError(/^ssl\.quorum\.keyStore\.location is required/);
    expect(() => parse(`${base}admin.forceHttps=yes\n`)).toThrowError(/^admin\.forceHttps: expected true or false/);
    expect(parse(`${base}admin.enableServer=false\nadmin.forceHttps=true\n`).config.adminTls).toBeNull();
  });

  it("reads digest.enabled (on by default, as in 3.8) and audit.enable (off by default)", () => {
    expect(parse(base).config).toMatchObject({ digestEnabled: true, auditEnabled: false });
    expect(parse(`${base}digest.enabled=false\naudit.enable=true\n`).config).toMatchObject({ digestEnabled: false, auditEnabled: true });
    expect(parse(`${base}zookeeper.digest.enabled=false\n`).config.digestEnabled).toBe(false);
    expect(parse(`${base}audit.enable=true\n`).ignoredKeys).not.toContain("audit.enable");
  });

  it("accepts security switches that are off and the providers ZooKeeper always loads", () => {
    const { ignoredKeys } = parse(
      `${base}sslQuorum=false\nportUnification=false\nssl.crl=false\nquorum.auth.enableSasl=false\nenforce.auth.enabled=false\n` +
        `sessionRequireClientSASLAuth=false\naudit.enable=false\n` +
        `authProvider.1=org.apache.zookeeper.server.auth.DigestAuthenticationProvider\n`,
    );
    expect(ignoredKeys).toContain("authProvider.1");
    expect(ignoredKeys).not.toContain("sslQuorum");
  });

  it.each([
    ["tickTime=abc\ndataDir=/d\nclientPort=1\n", /^tickTime: expected an integer, got "abc"$/],
    ["dataDir=/d\nclientPort=1\n", /^tickTime is required/],
    ["tickTime=2000\nclientPort=1\n", /^dataDir is required/],
    ["tickTime=2000\ndataDir=/d\n", /^clientPort is required/],
    ["tickTime=2000\ndataDir=/d\nclientPort=70000\n", /^clientPort: /],
    ["tickTime=0\ndataDir=/d\nclientPort=1\n", /^tickTime: /],
    [`${base}extendedTypesEnabled=maybe\n`, /^extendedTypesEnabled: expected true or false/],
    [`${base}minSessionTimeout=9000\nmaxSessionTimeout=5000\n`, /minSessionTimeout \(9000\) must not be larger/],
  ])("rejects %j with one line naming the key", (text, message) => {
    expect(() => parse(text)).toThrowError(ConfigError);
    expect(() => parse(text)).toThrowError(message);
  });

  it("runs the values ZooKeeper accepts as ZooKeeper runs them, and keeps what conf shows as written", () => {
    const { config } = parse(
      `${base}snapCount=1\nsnapSizeLimitInKb=-1\npreAllocSize=-5\ntxnLogSizeLimitInKb=-1\nmaxClientCnxns=-1\n` +
        `fsync.warningthresholdms=-1\nautopurge.snapRetainCount=1\nzookeeper.globalOutstandingLimit=+7\n`,
    );
    expect(config).toMatchObject({
      snapCount: 2,
      snapSizeLimitBytes: 0,
      preAllocSizeBytes: 0,
      txnLogSizeLimitBytes: 0,
      maxClientCnxns: -1,
      fsyncWarningThresholdMs: -1,
      snapRetainCount: 3,
      globalOutstandingLimit: 7,
    });
    expect(parse(`${base}snapSizeLimitInKb=8\npreAllocSize=16\n`).config).toMatchObject({ snapSizeLimitBytes: 8192, preAllocSizeBytes: 16384 });
  });

  it.each([
    [`${base}snapSizeLimitInKb=4g\n`, 'snapSizeLimitInKb: expected an integer, got "4g"'],
    [`${base}zookeeper.snapCount=1.5\n`, 'snapCount: expected an integer, got "1.5"'],
    [`${base}jute.maxbuffer=0\n`, "jute.maxbuffer: Expected integer to be greater or equal to 1 (got 0)"],
    [`${base}maxClientCnxns=2147483648\n`, "maxClientCnxns: Expected integer to be less or equal to 2147483647 (got 2147483648)"],
    [`${base}znode.container.maxPerMinute=0\n`, "znode.container.maxPerMinute: Expected integer to be greater or equal to 1 (got 0)"],
    [`${base}admin.serverPort=-1\n`, "admin.serverPort: Expected integer to be greater or equal to 0 (got -1)"],
  ])("refuses %j with the zoo.cfg key and the value written there", (text, message) => {
    expect(() => parse(text)).toThrowError(new ConfigError(message));
  });

  it("reads every switch one way: true or false in any case; an empty value only where it means off", () => {
    expect(parse(`${base}readonlymode.enabled=TRUE\nsslQuorum=\nquorum.auth.enableSasl=False\n`).config).toMatchObject({ readOnlyModeEnabled: true });
    // ZooKeeper reads "yes" as false; zkts once read it as true. Neither, now: it names the key.
    expect(() => parse(`${base}readonlymode.enabled=yes\n`)).toThrowError(new ConfigError('readonlymode.enabled: expected true or false, got "yes"'));
    expect(() => parse(`${base}sslQuorum=on\n`)).toThrowError(new ConfigError('sslQuorum: expected true or false, got "on"'));
    // Empty is false for ZooKeeper: refused where the default is on, so a blank cannot turn it off.
    expect(() => parse(`${base}admin.enableServer=\n`)).toThrowError(new ConfigError('admin.enableServer: expected true or false, got ""'));
  });

  it("parses Java properties syntax: comments, colons, continuations", () => {
    const props = parseProperties("# comment\n! also\nkey1 = value one\nkey2: two\nkey3=a\\\n  b\n\n");
    expect([...props]).toEqual([
      ["key1", "value one"],
      ["key2", "two"],
      ["key3", "ab"],
    ]);
  });
});

describe("zkts-server command", () => {
  const main = join(repoRoot, "apps/server/dist/main.js");
  const run = promisify(execFile);

  it("exits with status 2 and a one-line error naming a bad key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-cfg-"));
    writeFileSync(join(dir, "zoo.cfg"), `tickTime=2000\ndataDir=${dir}\nclientPort=notaport\n`);
    const failure = await run(process.execPath, [main, "--config", join(dir, "zoo.cfg")]).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe('zkts-server: clientPort: expected an integer, got "notaport"\n');
  });

  it("refuses to start, status 2, on a security setting it cannot honour (never serves in plain text instead)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-cfg-"));
    writeFileSync(
      join(dir, "zoo.cfg"),
      `tickTime=2000\ndataDir=${dir}\nclientPort=0\nssl.ocsp=true\n` + `authProvider.1=com.example.CustomAuthenticationProvider\n`,
    );
    const failure = await run(process.execPath, [main, "--config", join(dir, "zoo.cfg")]).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      "zkts-server: ssl.ocsp: OCSP revocation checks are not supported by zkts (it does not query the OCSP responders certificates name); " +
        "set ssl.crl=true (or ssl.quorum.crl=true) to check revocation with the CRLs the certificates name; refusing to start rather than serve without it\n",
    );
  });

  it("exits with status 2 when the config file is missing", async () => {
    const failure = await run(process.execPath, [main, "--config", "/no/such/zoo.cfg"]).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^zkts-server: ENOENT/);
  });
});
