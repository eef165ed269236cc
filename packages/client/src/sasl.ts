import { randomBytes } from "node:crypto";
import { DigestMd5Client, ZOOKEEPER_DIGEST, digestCredentialsOf, parseJaasConfig } from "@zkts/sasl";
import type { SaslExchange } from "./core/connection-core.js";

/** SASL credentials; DIGEST-MD5 is the one mechanism (Kerberos is not served). */
export interface SaslOptions {
  mechanism?: "DIGEST-MD5";
  username: string;
  password: string;
}

/** A fresh DIGEST-MD5 exchange per connection, with ZooKeeper's service and server names. */
export function saslExchangeFactory(options: SaslOptions): () => SaslExchange {
  const mechanism = options.mechanism ?? "DIGEST-MD5";
  if (mechanism !== "DIGEST-MD5") throw new Error(`SASL mechanism ${String(mechanism)} is not supported (only DIGEST-MD5)`);
  return () =>
    new DigestMd5Client({
      ...ZOOKEEPER_DIGEST,
      username: options.username,
      password: options.password,
      cnonce: () => randomBytes(24).toString("base64"),
    });
}

/**
 * The credentials of a JAAS login configuration's client section (`Client` unless named, as
 * ZooKeeper's zookeeper.sasl.clientconfig), the way the Java client finds them:
 * `Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="bob" password="secret"; };`.
 * Null when the section is missing: the Java client then does not use SASL. A Kerberos
 * section is refused.
 */
export function saslOptionsFromJaas(text: string, section = "Client"): SaslOptions | null {
  const entries = parseJaasConfig(text).get(section);
  if (entries === undefined) return null;
  if (entries.some((e) => /Krb5LoginModule$/.test(e.loginModule))) {
    throw new Error(`JAAS section "${section}" uses Kerberos (Krb5LoginModule); only DIGEST-MD5 is supported`);
  }
  const credentials = digestCredentialsOf(entries);
  if (credentials === null) throw new Error(`JAAS section "${section}" has no username and password`);
  return { mechanism: "DIGEST-MD5", ...credentials };
}
