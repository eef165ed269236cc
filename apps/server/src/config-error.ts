/** A bad value for a supported key, or a required key missing: one clear line, naming the key. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
