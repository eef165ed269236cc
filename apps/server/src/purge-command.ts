import { purge } from "@zkts/server";

/**
 * `zkts-server purge <dataLogDir> [<dataDir>] -n <count>`: keeps the newest <count> snapshots
 * (at least 3) and the logs needed to recover from them, like ZooKeeper's PurgeTxnLog.
 */
export async function runPurge(args: string[]): Promise<void> {
  const dirs: string[] = [];
  let count = 3;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-n") {
      const value = args[++i];
      if (value === undefined || !/^\d+$/.test(value)) throw new Error(`-n: expected a number, got ${value ?? "nothing"}`);
      count = Number(value);
    } else dirs.push(arg);
  }
  if (dirs.length === 0 || dirs.length > 2) throw new Error("usage: zkts-server purge <dataLogDir> [<dataDir>] -n <count>");
  if (count < 3) throw new Error(`-n: must be at least 3, got ${count}`);
  const [dataLogDir, dataDir = dataLogDir] = dirs as [string, string?];
  const result = await purge({ dataDir: dataDir!, dataLogDir, snapRetainCount: count });
  process.stdout.write(`${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}\n`);
}
