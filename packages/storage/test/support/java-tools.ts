import { execFile } from "node:child_process";

/** The Debian jar's manifest names its dependencies; slf4j-nop keeps tool output clean. */
const CLASSPATH = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar";
const TOOL_TIMEOUT_MS = 60_000;

export interface ToolResult {
  code: number | null;
  output: string;
}

/** Runs one of ZooKeeper's own command-line classes, bounded in time. */
export function runZooKeeperTool(mainClass: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      "/usr/bin/java",
      ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-cp", CLASSPATH, mainClass, ...args],
      { timeout: TOOL_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
