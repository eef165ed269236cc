import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { ServerConfig } from "@zkts/server";
import { type JaasConfig, type JaasEntry, digestCredentialsOf, digestUsersOf, isKerberosModule, parseJaasConfig } from "@zkts/sasl";
import { ConfigError } from "./config-error.js";
import { type CfgValue, cfgValue } from "./cfg-schema.js";
import { SASL_KEYS, SaslKeys } from "./sasl-cfg-schema.js";
import { JAAS_SYSTEM_PROPERTY } from "./jvm-flags.js";

/** The class name that loads ZooKeeper's SASL provider (the `sasl` ACL scheme) in an `authProvider.N` key. */
export const SASL_PROVIDER_CLASS = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

export { SASL_KEYS };

/** `superUser` and `superUser.<anything>` (ZooKeeper's zookeeper.superUser prefix). */
export function isSuperUserKey(key: string): boolean {
  return key === "superUser" || key.startsWith("superUser.");
}

type Get = (key: string) => string | undefined;
type SaslValue = CfgValue<typeof SaslKeys>;

type SaslSettings = Pick<ServerConfig, "clientSasl" | "saslAuthProvider" | "letAnySaslUserDoX" | "enforceAuth" | "quorumSasl">;

/**
 * SASL, enforced authentication and quorum SASL from zoo.cfg (keys with or without the
 * `zookeeper.` prefix) and the JAAS login configuration, named by `jaasLoginConfig` or by
 * `-Djava.security.auth.login.config` in SERVER_JVMFLAGS. Everything ZooKeeper 3.8 refuses at
 * start is refused here too (exit status 2), and Kerberos as well, which zkts does not serve.
 */
export function saslFrom(
  props: ReadonlyMap<string, string>,
  get: Get,
  strip: (key: string) => string,
  baseDir: string,
  systemProperties: ReadonlyMap<string, string>,
  x509Loaded: boolean,
): SaslSettings {
  const saslAuthProvider = [...props].some(([k, v]) => /^authProvider\./.test(strip(k)) && v.trim() === SASL_PROVIDER_CLASS);
  const value = cfgValue(SaslKeys, get);
  const jaas = loadJaas(value, baseDir, systemProperties);
  return {
    saslAuthProvider,
    // ZooKeeper reads it with System.getProperty: set (even to "") or not; zoo.cfg gives it as
    // letAnySaslUserDoX or zookeeper.letAnySaslUserDoX, SERVER_JVMFLAGS as -Dzookeeper.letAnySaslUserDoX.
    letAnySaslUserDoX: value("letAnySaslUserDoX")?.trim() ?? null,
    clientSasl: clientSaslFrom(props, value, get, strip, jaas),
    enforceAuth: enforceAuthFrom(value, { sasl: saslAuthProvider, x509: x509Loaded }),
    quorumSasl: quorumSaslFrom(value, jaas),
  };
}

interface LoadedJaas {
  path: string;
  config: JaasConfig;
}

function loadJaas(value: SaslValue, baseDir: string, systemProperties: ReadonlyMap<string, string>): LoadedJaas | null {
  const fromCfg = value("jaasLoginConfig");
  const fromJvm = systemProperties.get(JAAS_SYSTEM_PROPERTY)?.trim();
  const key = fromCfg ? "jaasLoginConfig" : `-D${JAAS_SYSTEM_PROPERTY} (SERVER_JVMFLAGS)`;
  const named = fromCfg || fromJvm;
  if (!named) return null;
  const path = isAbsolute(named) ? named : resolve(baseDir, named);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`${key}: cannot read the JAAS file "${named}": ${(err as Error).message}`);
  }
  try {
    return { path, config: parseJaasConfig(text) };
  } catch (err) {
    throw new ConfigError(`${key}: the JAAS file "${named}" does not parse: ${(err as Error).message}`);
  }
}

/** A section the server logs in with: Kerberos is refused by name. */
function section(jaas: LoadedJaas, name: string, purpose: string): readonly JaasEntry[] | undefined {
  const entries = jaas.config.get(name);
  if (entries?.some(isKerberosModule)) {
    throw new ConfigError(`JAAS section "${name}" (${purpose}) in ${jaas.path} uses Kerberos (Krb5LoginModule): zkts serves SASL DIGEST-MD5 only, not GSSAPI`);
  }
  return entries;
}

function clientSaslFrom(
  props: ReadonlyMap<string, string>,
  value: SaslValue,
  get: Get,
  strip: (key: string) => string,
  jaas: LoadedJaas | null,
): ServerConfig["clientSasl"] {
  const sectionName = value("sasl.serverconfig");
  const named = (get("sasl.serverconfig") ?? "").trim() !== "";
  const entries = jaas === null ? undefined : section(jaas, sectionName, "SASL for clients");
  if (entries === undefined) {
    // ZooKeeper serves clients without SASL when the default section is missing; a section
    // named on purpose that is not there stops it (and zkts, whose JAAS file may be missing).
    if (named)
      throw new ConfigError(`sasl.serverconfig: no JAAS section "${sectionName}" ${jaas === null ? "(no JAAS file is configured)" : `in ${jaas.path}`}`);
    return null;
  }
  const superUsers = [...props]
    .filter(([k]) => isSuperUserKey(strip(k)))
    .map(([, v]) => v.trim())
    .filter((v) => v !== "");
  return {
    users: digestUsersOf(entries),
    superPassword: value("SASLAuthenticationProvider.superPassword") ?? null,
    superUsers,
    allowFailedClients: value("allowSaslFailedClients"),
  };
}

/**
 * AuthenticationHelper: sessionRequireClientSASLAuth=true means enforcing the sasl scheme;
 * otherwise enforce.auth.enabled with the comma list enforce.auth.schemes. Each scheme needs
 * its provider (ip and digest are built in; x509 and sasl are loaded by their keys).
 */
function enforceAuthFrom(value: SaslValue, loaded: { sasl: boolean; x509: boolean }): ServerConfig["enforceAuth"] {
  let schemes: string[];
  let key: string;
  if (value("sessionRequireClientSASLAuth")) {
    schemes = ["sasl"];
    key = "sessionRequireClientSASLAuth";
  } else {
    if (!value("enforce.auth.enabled")) return null;
    key = "enforce.auth.enabled";
    const text = value("enforce.auth.schemes");
    schemes = text === undefined ? [] : javaSplit(text, ",").map((s) => s.trim());
    if (schemes.length === 0) throw new ConfigError("enforce.auth.enabled is true: enforce.auth.schemes must be configured");
  }
  for (const scheme of schemes) {
    const available = scheme === "ip" || scheme === "digest" || (scheme === "sasl" && loaded.sasl) || (scheme === "x509" && loaded.x509);
    if (!available) {
      const hint = scheme === "sasl" ? ` (load it with authProvider.1=${SASL_PROVIDER_CLASS})` : "";
      throw new ConfigError(`${key}: authentication scheme "${scheme}" is not available${hint}`);
    }
  }
  return { schemes, saslRequired: schemes.includes("sasl") };
}

/** QuorumPeerConfig's quorum.auth.* checks, then the two JAAS sections every member logs in with. */
function quorumSaslFrom(value: SaslValue, jaas: LoadedJaas | null): ServerConfig["quorumSasl"] {
  const enabled = value("quorum.auth.enableSasl");
  const serverRequireSasl = value("quorum.auth.serverRequireSasl");
  const learnerRequireSasl = value("quorum.auth.learnerRequireSasl");
  if (!enabled && serverRequireSasl) throw new ConfigError("quorum.auth.serverRequireSasl needs quorum.auth.enableSasl=true");
  if (!enabled && learnerRequireSasl) throw new ConfigError("quorum.auth.learnerRequireSasl needs quorum.auth.enableSasl=true");
  if (!learnerRequireSasl && serverRequireSasl) throw new ConfigError("quorum.auth.serverRequireSasl needs quorum.auth.learnerRequireSasl=true");
  if (!enabled) return null;
  const learnerName = value("quorum.auth.learner.saslLoginContext");
  const serverName = value("quorum.auth.server.saslLoginContext");
  if (jaas === null) {
    throw new ConfigError(`quorum.auth.enableSasl: no JAAS file is configured (jaasLoginConfig, or -D${JAAS_SYSTEM_PROPERTY} in SERVER_JVMFLAGS)`);
  }
  const learner = section(jaas, learnerName, "quorum.auth.learner.saslLoginContext");
  const server = section(jaas, serverName, "quorum.auth.server.saslLoginContext");
  if (learner === undefined) throw new ConfigError(`quorum.auth.learner.saslLoginContext: no JAAS section "${learnerName}" in ${jaas.path}`);
  if (server === undefined) throw new ConfigError(`quorum.auth.server.saslLoginContext: no JAAS section "${serverName}" in ${jaas.path}`);
  const credentials = digestCredentialsOf(learner);
  if (credentials === null) throw new ConfigError(`JAAS section "${learnerName}" in ${jaas.path} has no username and password`);
  return { learnerRequireSasl, serverRequireSasl, learner: credentials, serverUsers: digestUsersOf(server) };
}

/** Java's String.split: trailing empty strings are dropped. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}
