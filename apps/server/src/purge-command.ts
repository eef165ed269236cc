import { parseOrExit, UsageError, withUsageErrors, type CommandSpec } from "@zkts/cli-args";
import { purge } from "@zkts/server";

const purgeSpec = (version: string) =>
  ({
    name: "zkts-server purge",
    version,
    synopsis: ["zkts-server purge <dataLogDir> [<dataDir>] -n <count>"],
    summary:
      "Keeps the newest <count> snapshots (at least 3) and the transaction logs needed to recover\n" +
      "from them, like ZooKeeper's PurgeTxnLog; prints what it removed as JSON.",
    options: {
      count: { type: "string", short: "n", value: "COUNT", description: "snapshots to keep, at least 3 (default 3)" },
    },
    positionals: { min: 1, max: 2 },
    epilogue: "Exit status: 0 purged, 1 the directories could not be read or cleaned, 2 usage error.",
  }) as const satisfies CommandSpec;

/** `zkts-server purge <dataLogDir> [<dataDir>] -n <count>`. */
export async function runPurge(args: string[], version: string): Promise<void> {
  const spec = purgeSpec(version);
  const { values, positionals } = parseOrExit(spec, args);
  const count = withUsageErrors(spec, () => {
    const text = values.count ?? "3";
    if (!/^\d+$/.test(text)) throw new UsageError(`-n: expected a number, got ${text}`);
    const n = Number(text);
    if (n < 3) throw new UsageError(`-n: must be at least 3, got ${n}`);
    return n;
  });
  const [dataLogDir, dataDir = dataLogDir] = positionals as [string, string?];
  const result = await purge({ dataDir: dataDir!, dataLogDir, snapRetainCount: count });
  process.stdout.write(`${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}\n`);
}
