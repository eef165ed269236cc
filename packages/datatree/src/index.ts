export * from "./path.js";
export * from "./ephemeral-type.js";
export * from "./auth.js";
export { isX500Name } from "./x500-name.js";
export * from "./acl-cache.js";
export * from "./quota.js";
export * from "./watches.js";
export * from "./znode.js";
export * from "./tree.js";
export * from "./digest.js";
export * from "./digest-forecast.js";
export * from "./prep.js";
export * from "./keeper-error.js";
export * from "./null-field.js";
export * from "./ensemble-config.js";
export * from "./reconfig.js";
// The server lines' reader lives in @zkts/config; re-exported for the data tree's users.
export { type ClientAddress, EnsembleConfigError, type ServerRole, type ServerSpec, parseServerSpec, renderServerSpec } from "@zkts/config";
