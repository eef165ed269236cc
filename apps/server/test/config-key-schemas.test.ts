import { afterAll, describe, expect, it } from "vitest";
import { parseProperties } from "../src/properties.js";
import { defaultTlsSettings } from "@zkts/server";
import { TLS_KEYS, clientTlsFrom, tlsSettingsFrom } from "../src/tls-cfg.js";
import { TlsGroupKeys } from "../src/tls-cfg-schema.js";
import { ConfigError, configFromProperties } from "../src/zoo-cfg.js";
import { JaasFiles, SASL_PROVIDER } from "./sasl/jaas-files.js";

/**
 * The TLS, SASL and metrics key families of zoo.cfg, each declared in one schema: with nothing
 * set they come out as ZooKeeper 3.8's defaults, a bad value is refused naming the key and the
 * value, and what ZooKeeper 3.8 accepts is accepted.
 */
const base = "tickTime=2000\ndataDir=/var/zk\nclientPort=2181\n";
const parse = (text: string) => configFromProperties(parseProperties(`${base}${text}`), "/base");
const getter = (text: string) => (key: string) => parseProperties(text).get(key);
const refusal = (run: () => unknown, message: string) => {
  expect(run).toThrowError(ConfigError);
  expect(run).toThrowError(new ConfigError(message));
};

describe("the TLS keys (ssl.*, ssl.quorum.*, secureClientPort, ...)", () => {
  it("come out as ZooKeeper 3.8's defaults when only a key store is named", () => {
    for (const prefix of ["ssl", "ssl.quorum"]) {
      const settings = tlsSettingsFrom(getter(`${prefix}.keyStore.location=k.p12\n`), prefix, "/base");
      expect(settings).toEqual({
        prefix,
        keyStore: { location: "/base/k.p12", password: null, type: null, settingName: `${prefix}.keyStore` },
        trustStore: null,
        clientAuth: "need",
        protocol: "TLSv1.2",
        enabledProtocols: null,
        cipherSuites: null,
        hostnameVerification: true,
        handshakeDetectionTimeoutMs: 5000,
        crl: false,
      });
    }
    const { config } = parse("");
    expect(config).toMatchObject({ clientTls: null, quorumTls: null, adminTls: null, x509Auth: null });
    const clientTls = clientTlsFrom(getter("secureClientPort=2281\nssl.keyStore.location=/k.p12\n"), "/base");
    expect(clientTls).toMatchObject({ secureClientPort: 2281, secureClientPortAddress: "0.0.0.0", portUnification: false, reloadCertFiles: false });
  });

  it("declare every key once, for both groups, with the defaults the server's TLS settings start from", () => {
    for (const key of ["secureClientPort", "client.certReload", "sslQuorumReloadCertFiles", "admin.forceHttps", "X509AuthenticationProvider.superUser"]) {
      expect(TLS_KEYS.has(key)).toBe(true);
    }
    for (const key of Object.keys(TlsGroupKeys.properties)) {
      expect(TLS_KEYS.has(`ssl.${key}`) && TLS_KEYS.has(`ssl.quorum.${key}`)).toBe(true);
    }
    const defaults = defaultTlsSettings("ssl");
    const group = TlsGroupKeys.properties;
    expect([group.clientAuth.default, group.protocol.default, group.hostnameVerification.default, group.crl.default]).toEqual([
      defaults.clientAuth,
      defaults.protocol,
      defaults.hostnameVerification,
      defaults.crl,
    ]);
    expect(group.handshakeDetectionTimeoutMillis.default).toBe(defaults.handshakeDetectionTimeoutMs);
  });

  it("read each type as ZooKeeper does: names in any case, Java integers, comma lists", () => {
    const settings = tlsSettingsFrom(
      getter(
        "ssl.keyStore.location=/k\nssl.keyStore.type=pkcs12\nssl.clientAuth=Want\nssl.handshakeDetectionTimeoutMillis=+250\n" +
          "ssl.enabledProtocols=TLSv1.2, TLSv1.3\nssl.ciphersuites=TLS_AES_128_GCM_SHA256\nssl.hostnameVerification=FALSE\n",
      ),
      "ssl",
      "/base",
    );
    expect(settings).toMatchObject({
      keyStore: { type: "PKCS12" },
      clientAuth: "want",
      handshakeDetectionTimeoutMs: 250,
      enabledProtocols: ["TLSv1.2", "TLSv1.3"],
      cipherSuites: ["TLS_AES_128_GCM_SHA256"],
      hostnameVerification: false,
    });
    // An empty clientAuth is ZooKeeper's default (need), an empty type is read from the file name.
    expect(tlsSettingsFrom(getter("ssl.clientAuth=\nssl.keyStore.location=/k\nssl.keyStore.type=\n"), "ssl", "/base")).toMatchObject({
      clientAuth: "need",
      keyStore: { type: null },
    });
    expect(clientTlsFrom(getter("secureClientPort=+2281\nssl.keyStore.location=/k\n"), "/base")?.secureClientPort).toBe(2281);
    // An empty address is the loopback address for ZooKeeper's InetAddress.getByName, not every interface.
    expect(clientTlsFrom(getter("secureClientPort=2281\nsecureClientPortAddress=\nssl.keyStore.location=/k\n"), "/base")?.secureClientPortAddress).toBe(
      "127.0.0.1",
    );
  });

  it("run a handshake detection timeout below 1 with the default, as ZooKeeper 3.8's SSLContextAndOptions does", () => {
    for (const timeout of ["0", "-1"]) {
      const settings = tlsSettingsFrom(getter(`ssl.handshakeDetectionTimeoutMillis=${timeout}\n`), "ssl", "/base");
      expect(settings.handshakeDetectionTimeoutMs).toBe(5000);
    }
  });

  it("refuse a bad value of each type, naming the key and the value", () => {
    const group =
      (text: string, prefix = "ssl") =>
      () =>
        tlsSettingsFrom(getter(text), prefix, "/base");
    refusal(group("ssl.clientAuth=maybe\n"), 'ssl.clientAuth: "maybe" is not one of need, want, none');
    refusal(
      group("ssl.quorum.keyStore.location=/k\nssl.quorum.keyStore.type=p12\n", "ssl.quorum"),
      'ssl.quorum.keyStore.type: "p12" is not one of JKS, PEM, PKCS12, BCFKS',
    );
    refusal(group("ssl.handshakeDetectionTimeoutMillis=5s\n"), 'ssl.handshakeDetectionTimeoutMillis: expected an integer, got "5s"');
    refusal(
      group("ssl.handshakeDetectionTimeoutMillis=2147483648\n"),
      "ssl.handshakeDetectionTimeoutMillis: Expected integer to be less or equal to 2147483647 (got 2147483648)",
    );
    refusal(group("ssl.quorum.hostnameVerification=no\n", "ssl.quorum"), 'ssl.quorum.hostnameVerification: expected true or false, got "no"');
    refusal(() => parse("secureClientPort=70000\nssl.keyStore.location=/k\n"), 'secureClientPort: expected a port number (0-65535), got "70000"');
    refusal(() => parse("secureClientPort=tls\n"), 'secureClientPort: expected a port number (0-65535), got "tls"');
    refusal(() => parse("sslQuorum=on\n"), 'sslQuorum: expected true or false, got "on"');
  });

  it("refuse what ZooKeeper 3.8 refuses at start: an empty secureClientPort, an address without the port", () => {
    refusal(() => parse("secureClientPort=\n"), 'secureClientPort: expected a port number (0-65535), got ""');
    refusal(() => parse("secureClientPortAddress=127.0.0.1\n"), "secureClientPortAddress is set but secureClientPort is not set");
  });

  it("check the ssl.* group only where ZooKeeper reads it: with TLS off a group key asks for nothing", () => {
    expect(parse("ssl.clientAuth=maybe\nssl.quorum.handshakeDetectionTimeoutMillis=soon\n").ignoredKeys).toEqual([]);
  });
});

describe("the SASL keys (quorum.auth.*, enforce.auth.*, sessionRequireClientSASLAuth, ...)", () => {
  const jaas = new JaasFiles();
  afterAll(() => jaas.cleanup());
  const path = jaas.write("server.conf", {
    Server: { user_bob: "secret" },
    QuorumServer: { user_zk: "q" },
    QuorumLearner: { username: "zk", password: "q" },
  });

  it("come out as ZooKeeper 3.8's defaults: no SASL, nothing enforced, the Server and Quorum* sections", () => {
    expect(parse("").config).toMatchObject({ saslAuthProvider: false, letAnySaslUserDoX: null, clientSasl: null, enforceAuth: null, quorumSasl: null });
    const { config } = parse(`jaasLoginConfig=${path}\nquorum.auth.enableSasl=true\n`);
    expect(config.clientSasl).toEqual({ users: new Map([["bob", "secret"]]), superPassword: null, superUsers: [], allowFailedClients: false });
    expect(config.quorumSasl).toEqual({
      learnerRequireSasl: false,
      serverRequireSasl: false,
      learner: { username: "zk", password: "q" },
      serverUsers: new Map([["zk", "q"]]),
    });
  });

  it("accept switches in any case, as ZooKeeper's parseBoolean does", () => {
    const { config } = parse(
      `jaasLoginConfig=${path}\nauthProvider.1=${SASL_PROVIDER}\nallowSaslFailedClients=TRUE\nsessionRequireClientSASLAuth=True\n` +
        "quorum.auth.enableSasl=TRUE\nquorum.auth.learnerRequireSasl=true\nquorum.auth.serverRequireSasl=False\n",
    );
    expect(config.clientSasl?.allowFailedClients).toBe(true);
    expect(config.enforceAuth).toEqual({ schemes: ["sasl"], saslRequired: true });
    expect(config.quorumSasl).toMatchObject({ learnerRequireSasl: true, serverRequireSasl: false });
  });

  it("refuse a switch that is neither true nor false, naming the key and the value", () => {
    for (const key of [
      "sessionRequireClientSASLAuth",
      "enforce.auth.enabled",
      "quorum.auth.enableSasl",
      "quorum.auth.learnerRequireSasl",
      "quorum.auth.serverRequireSasl",
    ]) {
      refusal(() => parse(`${key}=yes\n`), `${key}: expected true or false, got "yes"`);
    }
    refusal(() => parse(`jaasLoginConfig=${path}\nallowSaslFailedClients=1\n`), 'allowSaslFailedClients: expected true or false, got "1"');
  });

  it("read a blank login section name as the default, and refuse a section named on purpose that is missing", () => {
    const { config } = parse(`jaasLoginConfig=${path}\nsasl.serverconfig=\nquorum.auth.enableSasl=true\nquorum.auth.server.saslLoginContext= \n`);
    expect(config.clientSasl?.users).toEqual(new Map([["bob", "secret"]]));
    expect(config.quorumSasl?.serverUsers).toEqual(new Map([["zk", "q"]]));
    expect(() => parse(`jaasLoginConfig=${path}\nsasl.serverconfig=Elsewhere\n`)).toThrowError(/^sasl.serverconfig: no JAAS section "Elsewhere"/);
  });
});

describe("the metricsProvider.* keys", () => {
  const PROMETHEUS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
  const prometheus = (lines = "") => parse(`metricsProvider.className=${PROMETHEUS}\n${lines}`).prometheus;

  it("come out as ZooKeeper 3.8's defaults: no endpoint without a provider, 0.0.0.0:7000 with JVM info for Prometheus", () => {
    expect(parse("").prometheus).toBeNull();
    expect(prometheus()).toEqual({ host: "0.0.0.0", port: 7000, exportProcessMetrics: true });
  });

  it("accept what ZooKeeper 3.8 accepts: signed integers, switches in any case, an empty host (the loopback address)", () => {
    expect(prometheus("metricsProvider.httpPort=+7001\nmetricsProvider.exportJvmInfo=FALSE\nmetricsProvider.numWorkerThreads=+2\n")).toEqual({
      host: "0.0.0.0",
      port: 7001,
      exportProcessMetrics: false,
    });
    expect(prometheus("metricsProvider.numWorkerThreads=-1\nmetricsProvider.workerShutdownTimeoutMs=3000000000\n")).not.toBeNull();
    expect(prometheus("metricsProvider.httpHost=\n")?.host).toBe("127.0.0.1");
  });

  it("refuse a bad value of each type, naming the key as written and the value", () => {
    refusal(() => prometheus("metricsProvider.httpPort=65536\n"), 'metricsProvider.httpPort: expected a port number (0-65535), got "65536"');
    refusal(() => prometheus("zookeeper.metricsProvider.httpPort=-1\n"), 'zookeeper.metricsProvider.httpPort: expected a port number (0-65535), got "-1"');
    refusal(() => prometheus("metricsProvider.exportJvmInfo=yes\n"), 'metricsProvider.exportJvmInfo: expected true or false, got "yes"');
    refusal(() => prometheus("metricsProvider.maxQueueSize=lots\n"), 'metricsProvider.maxQueueSize: expected an integer, got "lots"');
    refusal(() => prometheus("metricsProvider.workerShutdownTimeoutMs=1.5\n"), 'metricsProvider.workerShutdownTimeoutMs: expected an integer, got "1.5"');
    refusal(
      () => prometheus("metricsProvider.numWorkerThreads=2147483648\n"),
      "metricsProvider.numWorkerThreads: Expected integer to be less or equal to 2147483647 (got 2147483648)",
    );
    refusal(() => parse("metricsProvider.className=\n"), `metricsProvider.className: zkts serves ${PROMETHEUS} (or the default provider), not ""`);
  });
});
