/**
 * SASL settings of a server, already read from zoo.cfg and the JAAS login configuration
 * (apps/server reads the files). Only DIGEST-MD5 is served; Kerberos is refused at start.
 */

/** SASL for clients: the DIGEST-MD5 users of the JAAS `Server` section (zookeeper.sasl.serverconfig). */
export interface ClientSaslConfig {
  /** user name → password, from `user_<name>="<password>"`. */
  users: ReadonlyMap<string, string>;
  /** `SASLAuthenticationProvider.superPassword`: the password of the user "super" instead of the JAAS one. */
  superPassword: string | null;
  /** `superUser` (zookeeper.superUser and zookeeper.superUser.*): SASL ids granted the super id. */
  superUsers: readonly string[];
  /** `allowSaslFailedClients`: a failed exchange leaves the connection open, unauthenticated. */
  allowFailedClients: boolean;
}

/**
 * `enforce.auth.enabled` with `enforce.auth.schemes`, or `sessionRequireClientSASLAuth` (which
 * means the schemes ["sasl"]), as ZooKeeper 3.8's AuthenticationHelper reads them.
 */
export interface EnforceAuthConfig {
  schemes: readonly string[];
  /** The schemes include sasl: a failed SASL exchange is answered SESSIONCLOSEDREQUIRESASLAUTH. */
  saslRequired: boolean;
}

/** `quorum.auth.*`: DIGEST-MD5 between members, as ZooKeeper's QuorumCnxManager and learners run it. */
export interface QuorumSaslConfig {
  /** quorum.auth.learnerRequireSasl: this member authenticates when it connects to another. */
  learnerRequireSasl: boolean;
  /** quorum.auth.serverRequireSasl: members connecting to this one must authenticate. */
  serverRequireSasl: boolean;
  /** The learner login section's (quorum.auth.learner.saslLoginContext) username and password. */
  learner: { username: string; password: string };
  /** The server login section's (quorum.auth.server.saslLoginContext) users. */
  serverUsers: ReadonlyMap<string, string>;
}
