import { EnsembleConfigError, javaTrim, loadProperties } from "@zkts/config";
import { ConfigError } from "./config-error.js";

/**
 * Reads zoo.cfg as ZooKeeper's QuorumPeerConfig does: java.util.Properties syntax (@zkts/config's
 * loadProperties: `key=value`, `key: value` or `key value`, `#` and `!` comments, backslash
 * continuations and escapes), then every key and value trimmed.
 */
export function parseProperties(text: string): Map<string, string> {
  let loaded: Map<string, string>;
  try {
    loaded = loadProperties(text);
  } catch (err) {
    if (err instanceof EnsembleConfigError) throw new ConfigError(`zoo.cfg: ${err.detail}`);
    throw err;
  }
  const out = new Map<string, string>();
  for (const [key, value] of loaded) out.set(javaTrim(key), javaTrim(value));
  return out;
}
