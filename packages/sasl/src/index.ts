export { SaslError } from "./sasl-error.js";
export { type Directives, parseDirectives } from "./directives.js";
export { DigestMd5Server, type DigestMd5ServerOptions } from "./digest-md5-server.js";
export { DigestMd5Client, type DigestMd5ClientOptions } from "./digest-md5-client.js";
export { type JaasConfig, type JaasEntry, JaasSyntaxError, digestCredentialsOf, digestUsersOf, isKerberosModule, parseJaasConfig } from "./jaas.js";
export { ZOOKEEPER_DIGEST, ZOOKEEPER_QUORUM_DIGEST } from "./zookeeper-names.js";
