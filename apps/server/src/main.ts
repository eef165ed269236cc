#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { ZkServer, defaultServerConfig, jsonLogger, startAdminServer, type ServerConfig } from "@zkts/server";
import { type EnsembleConfig, ensembleFromProperties } from "./ensemble-cfg.js";
import { runEnsembleMember } from "./ensemble-main.js";
import { runPurge } from "./purge-command.js";
import { parseProperties } from "./properties.js";
import { ConfigError, configFromProperties } from "./zoo-cfg.js";
import { admitUnsafeMode } from "./unsafe-mode.js";
import { join } from "node:path";
import { existsSync } from "node:fs";

const USAGE = `usage: zkts-server [--config zoo.cfg]
       zkts-server purge <dataLogDir> [<dataDir>] -n <count>

With no config, serves standalone on 127.0.0.1:2181 with ./data as its data directory.`;

function parseArgs(argv: string[]): { configPath: string | null } {
  let configPath: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--config" || arg === "-c") configPath = argv[++i] ?? null;
    else if (arg.startsWith("--config=")) configPath = arg.substring("--config=".length);
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (!arg.startsWith("-") && configPath === null) configPath = arg;
    else throw new ConfigError(`unknown argument ${arg}`);
  }
  return { configPath };
}

async function main(): Promise<void> {
  if (process.argv[2] === "purge") {
    try {
      await runPurge(process.argv.slice(3));
    } catch (err) {
      process.stderr.write(`zkts-server purge: ${(err as Error).message}\n`);
      process.exit(2);
    }
    return;
  }
  const logger = jsonLogger((line) => process.stderr.write(line), (process.env.ZKTS_LOG_LEVEL as "info") ?? "info");
  let config: ServerConfig;
  let ensembleConfig: EnsembleConfig | null = null;
  let unsafeWarning: string | null = null;
  try {
    const { configPath } = parseArgs(process.argv.slice(2));
    if (configPath === null) {
      config = defaultServerConfig({ dataDir: "./data", dataLogDir: "./data", adminEnabled: false });
    } else {
      const text = readFileSync(configPath, "utf8");
      const props = parseProperties(text);
      const parsed = configFromProperties(props, process.cwd());
      config = parsed.config;
      const myidPath = join(config.dataDir, "myid");
      const ensemble = ensembleFromProperties(props, () => (existsSync(myidPath) ? readFileSync(myidPath, "utf8") : null));
      if (ensemble !== null) {
        ensembleConfig = ensemble;
        config = { ...config, serverId: ensemble.myid };
      }
      if (config.unsafe !== null) unsafeWarning = admitUnsafeMode(config.unsafe, process.env, ensembleConfig !== null);
      if (parsed.ignoredKeys.length > 0) {
        logger.log("info", "config keys ignored by zkts", { keys: parsed.ignoredKeys });
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`zkts-server: ${message}\n`);
    process.exit(2);
  }
  if (unsafeWarning !== null) logger.log("warn", unsafeWarning, { unsafe: config.unsafe });
  mkdirSync(config.dataDir, { recursive: true });
  if (ensembleConfig !== null) {
    await runEnsembleMember(config, ensembleConfig, logger);
    return;
  }
  let server: ZkServer;
  try {
    server = await ZkServer.open({ config, logger });
    await server.start();
  } catch (err) {
    process.stderr.write(`zkts-server: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let admin: import("node:http").Server | null = null;
  if (config.adminEnabled) {
    try {
      admin = await startAdminServer(server, config.adminServerAddress, config.adminServerPort);
      logger.log("info", "AdminServer listening", { address: `${config.adminServerAddress}:${config.adminServerPort}` });
    } catch (err) {
      logger.log("warn", "AdminServer could not start; continuing without it", { err });
    }
  }
  logger.log("info", "zkts standalone server started", {
    clientPort: config.clientPort,
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
  });
  const shutdown = async (signal: string) => {
    logger.log("info", "shutting down", { signal });
    admin?.close();
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

void main();
