import { existsSync } from "node:fs";
import type { ServerOptions } from "./config.js";
import { zktsServerMain, zktsServerNodeFlags } from "./paths.js";
import { launch, type Launcher, type RunningServer } from "./server.js";

const zktsLauncher: Launcher = {
  kind: "zkts",
  logName: "zkts.log",
  command(configPath, _config, systemProperties = {}) {
    const flags = jvmFlagsOf(systemProperties);
    const main = zktsServerMain();
    return {
      file: process.execPath,
      args: [...zktsServerNodeFlags(main), main, "--config", configPath],
      ...(flags === "" ? {} : { env: { SERVER_JVMFLAGS: flags } }),
    };
  },
};

/** `-Dkey=value` flags as SERVER_JVMFLAGS holds them, each quoted for the shell words zkts splits them into. */
export function jvmFlagsOf(systemProperties: Record<string, string>): string {
  return Object.entries(systemProperties)
    .map(([key, value]) => `'-D${key}=${value.replace(/'/g, `'\\''`)}'`)
    .join(" ");
}

/** Starts the zkts server (`node <its V8 flags> apps/server/dist/main.js --config <zoo.cfg>`) on 127.0.0.1. */
export async function startZkts(opts?: ServerOptions): Promise<RunningServer> {
  const main = zktsServerMain();
  if (!existsSync(main)) throw new Error(`${main} does not exist; build apps/server first (npm run build)`);
  return launch(zktsLauncher, opts);
}
