import type { UnsafeMode } from "@zkts/server";
import { ConfigError } from "./config-error.js";

/** The environment variable that must say 1 before a deliberately broken mode may run. */
export const UNSAFE_ENV = "ZKTS_UNSAFE";

/**
 * A deliberately broken mode (zkts.unsafe in zoo.cfg, for the lab to catch) runs only when the
 * environment asks for it too, so a copied zoo.cfg cannot turn one on by accident; and only on
 * an ensemble member, where each mode is wired. Throws the one-line refusal, or returns the
 * warning the server logs at start.
 */
export function admitUnsafeMode(mode: UnsafeMode, env: Readonly<Record<string, string | undefined>>, ensembleMember: boolean): string {
  if (env[UNSAFE_ENV] !== "1") {
    throw new ConfigError(
      `zkts.unsafe=${mode} is a deliberately broken mode for testing the lab; refusing to start without ${UNSAFE_ENV}=1 in the environment`,
    );
  }
  if (!ensembleMember) throw new ConfigError(`zkts.unsafe=${mode}: unsafe modes exist for ensemble members only (server.N lines)`);
  return `UNSAFE MODE ${mode}: this server is deliberately broken and will lose or misreport data; never run it outside the lab`;
}
