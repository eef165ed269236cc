import { Type } from "@sinclair/typebox";
import { Switch, Text, keysOf } from "./cfg-schema.js";

/**
 * The SASL and enforced-authentication keys of zoo.cfg that zkts serves, with ZooKeeper 3.8's
 * defaults: QuorumPeerConfig's quorum.auth.*, and the `zookeeper.*` system properties that
 * ZooKeeperServer, AuthenticationHelper and ServerCnxnFactory read (zoo.cfg reaches them
 * without the prefix). `superUser` and `superUser.<anything>` are a family of their own
 * (isSuperUserKey); the Kerberos keys are refused (security-keys.ts).
 */
export const SaslKeys = Type.Object({
  // zkts's own: ZooKeeper takes the JAAS file only as -Djava.security.auth.login.config.
  jaasLoginConfig: Type.Optional(Text({ blankIsUnset: true, description: "the JAAS file; absent: the JVM flag's, or none" })),
  // Named on purpose (even as Server) and missing from the JAAS file stops the server, as in ZooKeeper.
  "sasl.serverconfig": Text({ blankIsUnset: true, default: "Server" }),
  "SASLAuthenticationProvider.superPassword": Type.Optional(Text()),
  allowSaslFailedClients: Switch(false),
  sessionRequireClientSASLAuth: Switch(false, { description: "true: enforce.auth with the sasl scheme" }),
  "enforce.auth.enabled": Switch(false),
  // Split as Java's String.split(","), so an empty scheme between commas is refused by name.
  "enforce.auth.schemes": Type.Optional(Text({ description: "comma-separated schemes; needed with enforce.auth.enabled" })),
  "quorum.auth.enableSasl": Switch(false),
  "quorum.auth.learnerRequireSasl": Switch(false, { description: "needs quorum.auth.enableSasl" }),
  "quorum.auth.serverRequireSasl": Switch(false, { description: "needs quorum.auth.learnerRequireSasl" }),
  "quorum.auth.learner.saslLoginContext": Text({ blankIsUnset: true, default: "QuorumLearner" }),
  "quorum.auth.server.saslLoginContext": Text({ blankIsUnset: true, default: "QuorumServer" }),
  // ZooKeeper reads it with System.getProperty: set (even to "") or not.
  letAnySaslUserDoX: Type.Optional(Text()),
});

/** Every zoo.cfg key of SaslKeys, so none of them is reported as ignored or refused. */
export const SASL_KEYS: ReadonlySet<string> = new Set(keysOf(SaslKeys));
