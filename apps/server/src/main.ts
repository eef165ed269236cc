#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import {
  AuditLog,
  type PrometheusSettings,
  ZkServer,
  defaultServerConfig,
  jsonLogger,
  serverUser,
  standaloneFigures,
  startAdminServer,
  type LogLevel,
  type ServerConfig,
} from "@zkts/server";
import { withDynamicConfig } from "./dynamic-config-file.js";
import { type EnsembleConfig, ensembleFromProperties, ownClientAddress } from "./ensemble-cfg.js";
import { runEnsembleMember } from "./ensemble-main.js";
import { StaticConfigRewriter } from "./static-config-rewrite.js";
import { runPurge } from "./purge-command.js";
import { INSPECT_SYNOPSIS, runInspectCommand } from "./inspect/inspect-commands.js";
import { parseProperties } from "./properties.js";
import { systemPropertiesOf } from "./jvm-flags.js";
import { ConfigError, configFromProperties, logLevelOf } from "./zoo-cfg.js";
import { admitUnsafeMode } from "./unsafe-mode.js";
import { serveMetrics } from "./metrics-endpoint.js";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { packageVersion, parseOrExit, type CommandSpec } from "@zkts/cli-args";

const SERVER_SPEC = {
  name: "zkts-server",
  version: packageVersion(import.meta.url),
  synopsis: ["zkts-server [--config zoo.cfg | zoo.cfg]", "zkts-server purge --help", ...INSPECT_SYNOPSIS],
  summary:
    "A ZooKeeper-compatible server: standalone, or a member of an ensemble when zoo.cfg has\n" +
    "server.N lines (myid in dataDir). With no config it serves standalone on 127.0.0.1:2181\n" +
    "with ./data as its data directory.",
  options: {
    config: { type: "string", short: "c", value: "FILE", description: "zoo.cfg to read (as ZooKeeper reads it); may also be given alone" },
  },
  positionals: { min: 0, max: 1 },
  epilogue:
    "Environment: ZKTS_LOG_LEVEL (debug|info|warn|error), ZKTS_UNSAFE=1 (admits zkts.unsafe modes).\n" +
    "Exit status: 0 after SIGTERM/SIGINT, 1 when it cannot start or persist, 2 for a usage or\n" +
    "config error.",
} as const satisfies CommandSpec;

function parseArgs(argv: string[]): { configPath: string | null } {
  const { values, positionals } = parseOrExit(SERVER_SPEC, argv);
  if (values.config !== undefined && positionals.length > 0) throw new ConfigError("give the config either with --config or alone, not both");
  return { configPath: values.config ?? positionals[0] ?? null };
}

async function main(): Promise<void> {
  const inspectStatus = await runInspectCommand(process.argv.slice(2));
  if (inspectStatus !== null) process.exit(inspectStatus);
  if (process.argv[2] === "purge") {
    try {
      await runPurge(process.argv.slice(3), SERVER_SPEC.version);
    } catch (err) {
      process.stderr.write(`zkts-server purge: ${(err as Error).message}\n`);
      process.exit(1);
    }
    return;
  }
  let logLevel: LogLevel = "info";
  let ignoredKeys: string[] = [];
  let config: ServerConfig;
  let ensembleConfig: EnsembleConfig | null = null;
  let unsafeWarning: string | null = null;
  let prometheus: PrometheusSettings | null = null;
  let configPath: string | null = null;
  try {
    configPath = parseArgs(process.argv.slice(2)).configPath;
    const envLogLevel = logLevelOf("ZKTS_LOG_LEVEL", process.env.ZKTS_LOG_LEVEL || undefined);
    if (configPath === null) {
      config = defaultServerConfig({ dataDir: "./data", dataLogDir: "./data", adminEnabled: false });
    } else {
      const text = readFileSync(configPath, "utf8");
      const { props, version: configVersion } = withDynamicConfig(parseProperties(text), (path) => readFileSync(path, "utf8"));
      const parsed = configFromProperties(props, process.cwd(), systemPropertiesOf(process.env.SERVER_JVMFLAGS));
      config = parsed.config;
      const myidPath = join(config.dataDir, "myid");
      const ensemble = ensembleFromProperties(props, () => (existsSync(myidPath) ? readFileSync(myidPath, "utf8") : null));
      if (ensemble !== null) {
        ensembleConfig = { ...ensemble, configVersion };
        const given = {
          clientPort: props.has("clientPort") ? config.clientPort : null,
          clientPortAddress: props.has("clientPortAddress") ? config.clientPortAddress : null,
        };
        config = { ...config, ...ownClientAddress(ensemble, given), serverId: ensemble.myid };
      }
      if (config.unsafe !== null) unsafeWarning = admitUnsafeMode(config.unsafe, process.env, ensembleConfig !== null);
      ignoredKeys = parsed.ignoredKeys;
      prometheus = parsed.prometheus;
      logLevel = parsed.logLevel ?? logLevel;
    }
    logLevel = envLogLevel ?? logLevel;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`zkts-server: ${message}\n`);
    process.exit(2);
  }
  const logger = jsonLogger((line) => process.stderr.write(line), logLevel);
  if (ignoredKeys.length > 0) logger.log("info", "config keys ignored by zkts", { keys: ignoredKeys });
  if (unsafeWarning !== null) logger.log("warn", unsafeWarning, { unsafe: config.unsafe });
  mkdirSync(config.dataDir, { recursive: true });
  if (ensembleConfig !== null) {
    const rewriter =
      config.reconfigEnabled && configPath !== null ? new StaticConfigRewriter(configPath, ensembleConfig.myid, ensembleConfig.configVersion ?? 0n) : null;
    await runEnsembleMember(config, ensembleConfig, logger, prometheus, rewriter);
    return;
  }
  let server: ZkServer | null = null;
  let metricsEndpoint: import("node:http").Server | null = null;
  try {
    if (prometheus !== null) metricsEndpoint = await serveMetrics(prometheus, () => (server === null ? [] : standaloneFigures(server)), logger);
    server = await ZkServer.open({ config, logger });
    await server.start();
  } catch (err) {
    // ZooKeeperServerMain audits a start that failed; a started server audits its own start and stop.
    if (config.auditEnabled) new AuditLog(logger).write({ user: serverUser(), operation: "serverStart", result: "failure" });
    process.stderr.write(`zkts-server: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const started = server;
  let admin: import("node:net").Server | null = null;
  if (config.adminEnabled) {
    try {
      admin = await startAdminServer(started, config.adminServerAddress, config.adminServerPort, config.adminTls);
      logger.log("info", "AdminServer listening", { address: `${config.adminServerAddress}:${config.adminServerPort}`, tls: config.adminTls?.mode ?? "none" });
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
    metricsEndpoint?.close();
    await started.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

void main();
