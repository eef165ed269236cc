import type { Server as HttpServer } from "node:http";
import type { Server as NetServer } from "node:net";
import {
  AuditLog,
  EnsembleServer,
  type Logger,
  type PrometheusSettings,
  type ServerConfig,
  memberFigures,
  serverUser,
  startEnsembleAdminServer,
} from "@zkts/server";
import type { EnsembleConfig } from "./ensemble-cfg.js";
import { serveMetrics } from "./metrics-endpoint.js";
import type { StaticConfigRewriter } from "./static-config-rewrite.js";

/** Runs this process as one member of a replicated ensemble until SIGTERM/SIGINT. */
export async function runEnsembleMember(
  config: ServerConfig,
  ensemble: EnsembleConfig,
  logger: Logger,
  prometheus: PrometheusSettings | null = null,
  zooCfg: StaticConfigRewriter | null = null,
): Promise<void> {
  // audit.enable: the member's own start and stop, as ZooKeeper's QuorumPeerMain audits them.
  const audit = config.auditEnabled ? new AuditLog(logger) : null;
  let server: EnsembleServer | null = null;
  let metricsEndpoint: HttpServer | null = null;
  try {
    if (prometheus !== null) metricsEndpoint = await serveMetrics(prometheus, () => (server === null ? [] : memberFigures(server)), logger);
    server = await EnsembleServer.open({
      config,
      members: ensemble.members,
      initLimit: ensemble.initLimit,
      syncLimit: ensemble.syncLimit,
      quorumListenOnAllIPs: ensemble.quorumListenOnAllIPs,
      configVersion: ensemble.configVersion ?? 0n,
      logger,
      // A replica that cannot persist must not acknowledge anything more: stop, restart from disk.
      onFatal: () => process.exit(1),
      onConfigurationActivated: (text, version) => {
        try {
          const written = zooCfg?.activated(text, version);
          if (written) logger.log("info", "zoo.cfg now names the configuration in force", { dynamicConfigFile: written, version: version.toString(16) });
        } catch (err) {
          // As ZooKeeper: the member goes on with the configuration it activated; the files lag.
          logger.log("error", "could not record the configuration in zoo.cfg", { err });
        }
      },
    });
    await server.start();
    audit?.write({ user: serverUser(), operation: "serverStart", result: "success" });
  } catch (err) {
    audit?.write({ user: serverUser(), operation: "serverStart", result: "failure" });
    process.stderr.write(`zkts-server: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const member = server;
  let admin: NetServer | null = null;
  if (config.adminEnabled) {
    try {
      admin = await startEnsembleAdminServer(member, config.adminServerAddress, config.adminServerPort, config.adminTls);
      logger.log("info", "AdminServer listening", { address: `${config.adminServerAddress}:${config.adminServerPort}`, tls: config.adminTls?.mode ?? "none" });
    } catch (err) {
      // As ZooKeeper: a member whose AdminServer cannot bind still serves.
      logger.log("warn", "AdminServer could not start; continuing without it", { err });
    }
  }
  logger.log("info", "zkts ensemble member started", {
    myid: ensemble.myid,
    members: ensemble.members.length,
    clientPort: config.clientPort,
    dataDir: config.dataDir,
  });
  const shutdown = async (signal: string) => {
    logger.log("info", "shutting down", { signal });
    audit?.write({ user: serverUser(), operation: "serverStop", result: "invoked" });
    admin?.close();
    metricsEndpoint?.close();
    await member.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
