import { join } from "node:path";
import type { ServerOptions } from "./config.js";
import { debian } from "./paths.js";
import { launch, type Launcher, type RunningServer } from "./server.js";

/**
 * Keys that the reference server reads only as JVM system properties, never from zoo.cfg.
 * (Other unknown zoo.cfg keys become `zookeeper.<key>` properties by themselves.) Keys that
 * already start with "zookeeper." are passed through too, since zoo.cfg would double the prefix.
 */
const SYSTEM_PROPERTY_ONLY = new Set(["jute.maxbuffer", "readonlymode.enabled"]);

/**
 * JVM flags that make start-up quick on a small machine: a small heap, the serial collector and
 * the client JIT tier. The server needs neither throughput nor a large heap in tests.
 */
const JVM_FLAGS = ["-Xms16m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djava.awt.headless=true"];

/**
 * zookeeper.jar's manifest lists its dependencies in /usr/share/java; the Debian package ships no
 * SLF4J binding for the server, so slf4j-simple is added to send the log to stderr (the log file).
 * The manifest also leaves out the servlet API that Jetty needs, without which the AdminServer
 * does not start ("Unable to load jetty").
 */
export function referenceClasspath(): string {
  return [debian.zookeeperJar, join(debian.javaDir, "slf4j-simple.jar"), join(debian.javaDir, "servlet-api.jar"), ...nettyJars()].join(":");
}

/**
 * Netty jars that zookeeper.jar's manifest leaves out but its Netty transport needs (Debian's
 * libnetty-java): with them the reference server runs NettyServerCnxnFactory (TLS client ports)
 * and the Java client ClientCnxnSocketNetty (`zookeeper.client.secure=true`).
 */
export function nettyJars(): string[] {
  return ["netty-codec.jar", "netty-resolver.jar", "netty-transport-native-unix-common.jar"].map((jar) => join(debian.javaDir, jar));
}

export function referenceSystemProperties(config: Record<string, string>): string[] {
  const props = [
    // Log4j is not on the classpath, so skip registering its JMX beans.
    "-Dzookeeper.jmx.log4j.disable=true",
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
  ];
  for (const [key, value] of Object.entries(config)) {
    if (SYSTEM_PROPERTY_ONLY.has(key) || key.startsWith("zookeeper.")) props.push(`-D${key}=${value}`);
  }
  return props;
}

/** Runs the reference server's `mainClass` on a zoo.cfg. */
function referenceLauncherOf(mainClass: string): Launcher {
  return {
    kind: "reference",
    logName: "zookeeper.log",
    command(configPath, config, systemProperties = {}, jvmFlags = []) {
      const flags = Object.entries(systemProperties).map(([key, value]) => `-D${key}=${value}`);
      return {
        file: debian.java,
        args: [...JVM_FLAGS, ...jvmFlags, ...referenceSystemProperties(config), ...flags, "-cp", referenceClasspath(), mainClass, configPath],
      };
    },
  };
}

export const referenceLauncher: Launcher = referenceLauncherOf("org.apache.zookeeper.server.ZooKeeperServerMain");

/** A member of a reference ensemble: zoo.cfg has server.N lines and dataDir has myid. */
export const referenceQuorumLauncher: Launcher = referenceLauncherOf("org.apache.zookeeper.server.quorum.QuorumPeerMain");

/** Starts Apache ZooKeeper 3.8 (Debian) standalone on 127.0.0.1 with the shared zoo.cfg. */
export function startReferenceZooKeeper(opts?: ServerOptions): Promise<RunningServer> {
  return launch(referenceLauncher, opts);
}
