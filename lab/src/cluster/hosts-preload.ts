/**
 * Loaded into a zkts member with `node --import` when the lab runs it with named peers
 * (named-peers.ts): makes dns.lookup answer the names of the hosts file that
 * ZKTS_LAB_HOSTS_FILE names before asking the system, so each member resolves the same
 * `server.N` host names to addresses of its own. Lab code: the server's own code is unchanged.
 * It imports nothing but node's own modules, since it runs before anything else.
 */
import dns from "node:dns";
import { readFileSync } from "node:fs";

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

const file = process.env.ZKTS_LAB_HOSTS_FILE;
if (file !== undefined && file !== "") {
  const table = readHostsFile(readFileSync(file, "utf8"));
  const systemLookup = dns.lookup;
  const namedLookup = function (this: unknown, hostname: string, options: unknown, callback?: LookupCallback): void {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    const opts = typeof options === "object" && options !== null ? (options as dns.LookupOptions) : {};
    const address = table.get(hostname.toLowerCase());
    const family = typeof options === "number" ? options : opts.family;
    if (address === undefined || family === 6) {
      (systemLookup as (...args: unknown[]) => void).call(this, hostname, options, callback);
      return;
    }
    if (opts.all) process.nextTick(cb, null, [{ address, family: 4 }]);
    else process.nextTick(cb, null, address, 4);
  };
  (dns as { lookup: unknown }).lookup = namedLookup;
  const systemPromiseLookup = dns.promises.lookup;
  (dns.promises as { lookup: unknown }).lookup = async (hostname: string, options?: dns.LookupOptions | number) => {
    const address = table.get(hostname.toLowerCase());
    const family = typeof options === "number" ? options : options?.family;
    if (address === undefined || family === 6) return await systemPromiseLookup(hostname, options as dns.LookupOptions);
    return typeof options === "object" && options.all ? [{ address, family: 4 }] : { address, family: 4 };
  };
}

/** "address name..." lines; `#` starts a comment; the first line naming a host wins, as in /etc/hosts. */
function readHostsFile(text: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address === undefined || address === "") continue;
    for (const name of names) if (!table.has(name.toLowerCase())) table.set(name.toLowerCase(), address);
  }
  return table;
}
