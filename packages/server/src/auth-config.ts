import type { AuthConfig } from "@zkts/datatree";
import type { ServerConfig } from "./config.js";

/** The ACL settings every part of a server checks with (tree, preparer, reads, watches). */
export function authOf(config: ServerConfig): AuthConfig {
  return {
    superDigest: config.superDigest,
    digestAlgorithm: config.digestAlgorithm,
    skipAcl: config.skipAcl,
    x509: config.x509Auth,
    sasl: config.saslAuthProvider ? true : null,
    saslAnyUserDoX: config.letAnySaslUserDoX,
  };
}
