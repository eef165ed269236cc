export * from "./member.js";
export { EnsembleConfigError, type ServerSpecFault, badArguments, marshallingError } from "./errors.js";
export { loadProperties } from "./properties.js";
export { type ServerSpecOptions, checkAddressDuplicate, parseQuorumMember, parseServerId, parseServerSpec, renderServerSpec } from "./server-spec.js";
export { javaSplit, javaTrim, parseJavaInt, parseJavaLong, splitTrimmed } from "./java-text.js";
export { type InetHost, inetHost } from "./java-inet.js";
