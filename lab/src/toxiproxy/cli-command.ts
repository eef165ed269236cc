import { readFile } from "node:fs/promises";
import { startToxiproxyServer } from "./http-server.js";

export const TOXIPROXY_USAGE = `usage: zkts-lab toxiproxy [--port 8474] [--host 127.0.0.1] [--seed N] [--config FILE]
  Runs the lab's Toxiproxy: Toxiproxy 2.12's HTTP API and the TCP proxies it manages, until
  interrupted (SIGINT or SIGTERM). Toxicity rolls, latency jitter and slice sizes are drawn
  from the seed (printed at start), so the same seed and the same sequence of API calls and
  connections draw the same values. --config names a JSON file of proxies to create at start
  (a list of {name, listen, upstream, enabled}, as upstream's -config).`;

/** `zkts-lab toxiproxy ...`: resolves with the exit code when the server has been stopped. */
export async function runToxiproxyCommand(argv: readonly string[]): Promise<number> {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] as string;
    const value = argv[i + 1];
    if (name === "--help" || name === "-h") {
      process.stdout.write(`${TOXIPROXY_USAGE}\n`);
      return 0;
    }
    if (!["--port", "--host", "--seed", "--config"].includes(name) || value === undefined) {
      process.stderr.write(`${TOXIPROXY_USAGE}\n`);
      return 3;
    }
    options[name.slice(2)] = value;
  }
  const port = integerOption(options.port, 8474);
  const seed = options.seed === undefined ? undefined : integerOption(options.seed, 0);
  if (port === undefined || (options.seed !== undefined && seed === undefined)) {
    process.stderr.write(`${TOXIPROXY_USAGE}\n`);
    return 3;
  }
  let proxies: string | undefined;
  if (options.config !== undefined) {
    try {
      proxies = await readFile(options.config, "utf8");
    } catch (err) {
      process.stderr.write(`--config ${options.config}: ${(err as Error).message}\n`);
      return 3;
    }
  }
  const server = await startToxiproxyServer({ host: options.host ?? "127.0.0.1", port, seed, ...(proxies === undefined ? {} : { proxies }) });
  process.stdout.write(`toxiproxy API on ${server.url} (seed ${server.seed})\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}

function integerOption(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
