import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";

/** What a benchmark report says of the machine it ran on, so two reports can be told apart. */
export interface MachineFacts {
  cpuModel: string;
  cpuCount: number;
  ramGiB: number;
  node: string;
  java: string;
  zookeeper: string;
  gitCommit: string;
  /** 1, 5 and 15 minute load averages: the machine is shared, so the figures say how busy it was. */
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[] | null;
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string } | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15_000 }, (err, stdout, stderr) => resolve(err === null ? { stdout, stderr } : null));
  });
}

async function cpuModel(): Promise<string> {
  // /proc/cpuinfo names the model where os.cpus() may not (some virtual machines).
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => "");
  const line = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
  return line?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
}

async function javaVersion(): Promise<string> {
  // `java -version` writes to stderr; its first line has the version.
  const out = await run("java", ["-version"]);
  return out?.stderr.split("\n")[0]?.trim() ?? "not found";
}

async function zookeeperVersion(): Promise<string> {
  // The reference is the Debian package that @zkts/testkit starts.
  const out = await run("dpkg-query", ["-W", "-f=${Version}", "zookeeper"]);
  return out === null ? "unknown" : `Debian zookeeper ${out.stdout.trim()}`;
}

async function gitCommit(): Promise<string> {
  const out = await run("git", ["rev-parse", "--short=12", "HEAD"]);
  return out?.stdout.trim() ?? "unknown";
}

export async function machineFacts(): Promise<MachineFacts> {
  const loadAverageAtStart = loadavg();
  const [model, java, zookeeper, commit] = await Promise.all([cpuModel(), javaVersion(), zookeeperVersion(), gitCommit()]);
  return {
    cpuModel: model,
    cpuCount: cpus().length,
    ramGiB: totalmem() / 2 ** 30,
    node: process.version,
    java,
    zookeeper,
    gitCommit: commit,
    loadAverageAtStart,
    loadAverageAtEnd: null,
  };
}
