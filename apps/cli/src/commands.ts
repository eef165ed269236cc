import { readFileSync } from "node:fs";
import { UsageError } from "@zkts/cli-args";
import { joinPath, type CreateModeName, type WatchEvent, type WatchListener, type ZkClient } from "@zkts/client";
import { parseArgs, type ParsedArgs } from "./args.js";
import { dataJson } from "./data-json.js";
import { formatAcl, formatStat, parseAcl } from "./format.js";
import { deleteQuota, formatQuotaListing, listQuota, QUOTA_FLAGS, setQuota, type QuotaField } from "./quota.js";

/** What the shell keeps between commands; one-shot mode starts from the defaults. */
export interface ShellSettings {
  /** printwatches on|off: whether watch events are printed. */
  printWatches: boolean;
}

export interface CommandContext {
  client: ZkClient;
  /** Receives watch events set with -w (and addWatch); printed as zkCli prints them. */
  watcher: WatchListener;
  settings: ShellSettings;
  /** zkts-cli's own version, for the version command. */
  version: string;
}

/** Text for people and a value for --json; commands fill both. */
export interface CommandResult {
  text: string;
  json: unknown;
}

export interface Command {
  name: string;
  usage: string;
  booleans?: string[];
  valued?: string[];
  /** Number of required positional arguments. */
  required: number;
  /** Indexes of positional arguments that are znode paths, for tab completion. */
  pathArgs?: number[];
  run(ctx: CommandContext, args: ParsedArgs): Promise<CommandResult>;
}

export function formatWatchEvent(event: WatchEvent): string {
  return `WATCHER::\n\nWatchedEvent state:${event.state} type:${event.type} path:${event.path}`;
}

const ok = (text: string, json: unknown = { ok: true }): CommandResult => ({ text, json });

async function listRecursive(client: ZkClient, path: string, out: string[], limit: number): Promise<void> {
  out.push(path);
  if (out.length >= limit) throw new Error(`more than ${limit} nodes under the path; refusing to list them all`);
  const children = (await client.getChildren(path)).sort();
  for (const child of children) await listRecursive(client, joinPath(path, child), out, limit);
}

const RECURSIVE_LIST_LIMIT = 100_000;

const commands: Command[] = [
  {
    name: "ls",
    usage: "ls [-s] [-w] [-R] path",
    booleans: ["s", "w", "R"],
    required: 1,
    pathArgs: [0],
    async run({ client, watcher }, { flags, positional }) {
      const path = positional[0]!;
      if (flags.has("R")) {
        const all: string[] = [];
        await listRecursive(client, path, all, RECURSIVE_LIST_LIMIT);
        return ok(all.join("\n"), all);
      }
      const w = flags.has("w") ? watcher : undefined;
      if (flags.has("s")) {
        const { children, stat } = await client.getChildrenWithStat(path, w);
        children.sort();
        return ok(`[${children.join(", ")}]\n${formatStat(stat)}`, { children, stat });
      }
      const children = (await client.getChildren(path, w)).sort();
      return ok(`[${children.join(", ")}]`, children);
    },
  },
  {
    name: "get",
    usage: "get [-s] [-w] path",
    booleans: ["s", "w"],
    required: 1,
    pathArgs: [0],
    async run({ client, watcher }, { flags, positional }) {
      const { data, stat } = await client.getData(positional[0]!, flags.has("w") ? watcher : undefined);
      const text = stat.dataLength === 0 && data.length === 0 ? "null" : data.toString("utf8");
      return ok(flags.has("s") ? `${text}\n${formatStat(stat)}` : text, { ...dataJson(data), stat });
    },
  },
  {
    name: "set",
    usage: "set [-s] [-v version] path data",
    booleans: ["s"],
    valued: ["v"],
    required: 2,
    pathArgs: [0],
    async run({ client }, { flags, options, positional }) {
      const stat = await client.setData(positional[0]!, positional[1]!, Number(options.get("v") ?? -1));
      return ok(flags.has("s") ? formatStat(stat) : "", { stat });
    },
  },
  {
    name: "create",
    usage: "create [-s] [-e] [-c] [-t ttl] path [data] [acl]",
    booleans: ["s", "e", "c"],
    valued: ["t"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { flags, options, positional }) {
      const mode = createMode(flags, options.get("t") !== undefined);
      const acl = positional[2] === undefined ? undefined : parseAcl(positional[2]);
      const ttl = options.get("t");
      const created = await client.create(positional[0]!, positional[1] ?? null, {
        mode,
        acl,
        ttlMs: ttl === undefined ? undefined : Number(ttl),
      });
      return ok(`Created ${created.path}`, created);
    },
  },
  {
    name: "delete",
    usage: "delete [-v version] path",
    valued: ["v"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { options, positional }) {
      await client.delete(positional[0]!, Number(options.get("v") ?? -1));
      return ok("");
    },
  },
  {
    name: "deleteall",
    usage: "deleteall path [-b batch size]",
    valued: ["b"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { options, positional }) {
      const batch = options.get("b");
      if (batch === undefined) {
        await client.deleteAll(positional[0]!);
        return ok("");
      }
      if (!/^[1-9]\d*$/.test(batch)) throw new UsageError(`-b takes a positive batch size, not ${batch}`);
      await deleteInBatches(client, positional[0]!, Number(batch));
      return ok("");
    },
  },
  {
    name: "stat",
    usage: "stat [-w] path",
    booleans: ["w"],
    required: 1,
    pathArgs: [0],
    async run({ client, watcher }, { flags, positional }) {
      const path = positional[0]!;
      const stat = await client.exists(path, flags.has("w") ? watcher : undefined);
      if (stat === null) throw Object.assign(new Error(`Node does not exist: ${path}`), { codeName: "NONODE", code: -101 });
      return ok(formatStat(stat), stat);
    },
  },
  {
    name: "getAcl",
    usage: "getAcl [-s] path",
    booleans: ["s"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { flags, positional }) {
      const { acl, stat } = await client.getACL(positional[0]!);
      return ok(flags.has("s") ? `${formatAcl(acl)}\n${formatStat(stat)}` : formatAcl(acl), { acl, stat });
    },
  },
  {
    name: "setAcl",
    usage: "setAcl [-s] [-v version] [-R] path acl",
    booleans: ["s", "R"],
    valued: ["v"],
    required: 2,
    pathArgs: [0],
    async run({ client }, { flags, options, positional }) {
      const acl = parseAcl(positional[1]!);
      const paths: string[] = [];
      if (flags.has("R")) await listRecursive(client, positional[0]!, paths, RECURSIVE_LIST_LIMIT);
      else paths.push(positional[0]!);
      let last;
      for (const path of paths) last = await client.setACL(path, acl, Number(options.get("v") ?? -1));
      return ok(flags.has("s") && last !== undefined ? formatStat(last) : "", { stat: last });
    },
  },
  {
    name: "addauth",
    usage: "addauth scheme auth",
    required: 2,
    async run({ client }, { positional }) {
      await client.addAuth(positional[0]!, positional[1]!);
      return ok("");
    },
  },
  {
    name: "addWatch",
    usage: "addWatch [-m mode] path   (mode: PERSISTENT or PERSISTENT_RECURSIVE, default PERSISTENT_RECURSIVE)",
    valued: ["m"],
    required: 1,
    pathArgs: [0],
    async run({ client, watcher }, { options, positional }) {
      const mode = (options.get("m") ?? "PERSISTENT_RECURSIVE").toUpperCase();
      if (mode !== "PERSISTENT" && mode !== "PERSISTENT_RECURSIVE") throw new Error(`unknown watch mode ${mode}`);
      await client.addWatch(positional[0]!, mode === "PERSISTENT" ? "persistent" : "persistentRecursive", watcher);
      return ok("");
    },
  },
  {
    name: "removewatches",
    usage: "removewatches path [-c|-d|-a] [-l]",
    booleans: ["c", "d", "a", "l"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { flags, positional }) {
      const type = flags.has("c") ? "children" : flags.has("d") ? "data" : "any";
      // -l: without a server connection, remove them on this client only.
      await client.removeWatches(positional[0]!, type, { local: flags.has("l") });
      return ok("");
    },
  },
  {
    name: "sync",
    usage: "sync path",
    required: 1,
    pathArgs: [0],
    async run({ client }, { positional }) {
      const path = await client.sync(positional[0]!);
      return ok(`Sync is OK`, { path });
    },
  },
  {
    name: "config",
    usage: "config [-c] [-w] [-s]",
    booleans: ["c", "w", "s"],
    required: 0,
    async run({ client, watcher }, { flags }) {
      const { data, stat } = await client.getConfig(flags.has("w") ? watcher : undefined);
      let text = data.toString("utf8");
      if (flags.has("c")) {
        text = text
          .split("\n")
          .filter((l) => l.startsWith("server.") || l.startsWith("version="))
          .map((l) => (l.startsWith("server.") ? l.slice(l.indexOf("=") + 1) : l))
          .join(",");
      }
      return ok(flags.has("s") ? `${text}\n${formatStat(stat)}` : text, { config: data.toString("utf8"), stat });
    },
  },
  {
    name: "reconfig",
    usage: "reconfig [-s] [-v version] [[-file path] | [-members serverstring1,...]] | [-add serverstring1,...] [-remove serverId1,...]",
    booleans: ["s"],
    valued: ["v", "add", "remove", "members", "file"],
    required: 0,
    async run({ client }, { flags, options }) {
      const version = options.get("v");
      const file = options.get("file");
      if (file !== undefined && options.has("members")) throw new UsageError("-file and -members cannot be combined");
      const { data, stat } = await client.reconfig({
        joining: options.get("add") ?? null,
        leaving: options.get("remove") ?? null,
        newMembers: file === undefined ? (options.get("members") ?? null) : membersFromFile(file),
        fromConfig: version === undefined ? -1n : BigInt(version.startsWith("0x") ? version : `0x${version}`),
      });
      const text = `Committed new configuration:\n${data.toString("utf8")}`;
      return ok(flags.has("s") ? `${text}\n${formatStat(stat)}` : text, { config: data.toString("utf8"), stat });
    },
  },
  {
    name: "whoami",
    usage: "whoami",
    required: 0,
    async run({ client }) {
      const infos = await client.whoAmI();
      return ok(["Auth scheme: User", ...infos.map((i) => `${i.authScheme}: ${i.user}`)].join("\n"), infos);
    },
  },
  {
    name: "setquota",
    usage: "setquota -n|-b|-N|-B val path",
    valued: Object.keys(QUOTA_FLAGS),
    required: 1,
    pathArgs: [0],
    async run({ client }, { options, positional }) {
      const [flag, ...others] = [...options.keys()];
      if (flag === undefined) throw new UsageError("one of -n (count), -b (bytes), -N (count hard limit), -B (bytes hard limit) is required");
      if (others.length > 0) throw new UsageError(`-${flag} and -${others[0]} cannot be combined; set one limit at a time`);
      const value = options.get(flag)!;
      if (!/^-?\d+$/.test(value)) throw new UsageError(`-${flag} takes a number, not ${value}`);
      await setQuota(client, positional[0]!, QUOTA_FLAGS[flag]!, Number(value));
      return ok("");
    },
  },
  {
    name: "listquota",
    usage: "listquota path",
    required: 1,
    pathArgs: [0],
    async run({ client }, { positional }) {
      const listing = await listQuota(client, positional[0]!);
      return ok(formatQuotaListing(listing), listing);
    },
  },
  {
    name: "delquota",
    usage: "delquota [-n|-b|-N|-B] path",
    booleans: Object.keys(QUOTA_FLAGS),
    required: 1,
    pathArgs: [0],
    async run({ client }, { flags, positional }) {
      if (flags.size > 1) throw new UsageError("give at most one of -n, -b, -N, -B");
      const [flag] = [...flags];
      const field: QuotaField | null = flag === undefined ? null : QUOTA_FLAGS[flag]!;
      await deleteQuota(client, positional[0]!, field);
      return ok("");
    },
  },
  {
    name: "printwatches",
    usage: "printwatches on|off",
    required: 0,
    async run({ settings }, { positional }) {
      const word = positional[0];
      if (word === undefined) return ok(`printwatches is ${settings.printWatches ? "on" : "off"}`, { printWatches: settings.printWatches });
      if (word !== "on" && word !== "off") throw new UsageError("usage: printwatches on|off");
      settings.printWatches = word === "on";
      return ok("", { printWatches: settings.printWatches });
    },
  },
  {
    name: "version",
    usage: "version",
    required: 0,
    async run({ version }) {
      return ok(`ZooKeeper CLI version: zkts-cli ${version}`, { name: "zkts-cli", version });
    },
  },
  {
    name: "getEphemerals",
    usage: "getEphemerals path",
    required: 0,
    pathArgs: [0],
    async run({ client }, { positional }) {
      const list = await client.getEphemerals(positional[0] ?? "/");
      return ok(`[${list.join(", ")}]`, list);
    },
  },
  {
    name: "getAllChildrenNumber",
    usage: "getAllChildrenNumber path",
    required: 1,
    pathArgs: [0],
    async run({ client }, { positional }) {
      const n = await client.getAllChildrenNumber(positional[0]!);
      return ok(String(n), n);
    },
  },
];

/** The server lines of a dynamic config file, as -members takes them. */
function membersFromFile(file: string): string {
  const text = readFileSync(file, "utf8");
  const members = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("server."));
  if (members.length === 0) throw new UsageError(`${file} has no server.N lines`);
  return members.join(",");
}

/** deleteall -b: the subtree deepest first, `batch` deletes to one multi request. */
async function deleteInBatches(client: ZkClient, path: string, batch: number): Promise<void> {
  const nodes: string[] = [];
  await listRecursive(client, path, nodes, RECURSIVE_LIST_LIMIT);
  // Pre-order reversed puts every node after all of its descendants.
  const order = nodes.reverse().filter((p) => p !== "/");
  for (let i = 0; i < order.length; i += batch) {
    const tx = client.transaction();
    for (const node of order.slice(i, i + batch)) tx.delete(node);
    await tx.commit();
  }
}

function createMode(flags: Set<string>, ttl: boolean): CreateModeName {
  const sequential = flags.has("s");
  if (ttl) {
    if (flags.has("e") || flags.has("c")) throw new Error("-t (TTL) cannot be combined with -e or -c");
    return sequential ? "PERSISTENT_SEQUENTIAL_WITH_TTL" : "PERSISTENT_WITH_TTL";
  }
  if (flags.has("c")) {
    if (flags.has("e") || sequential) throw new Error("-c (container) cannot be combined with -e or -s");
    return "CONTAINER";
  }
  if (flags.has("e")) return sequential ? "EPHEMERAL_SEQUENTIAL" : "EPHEMERAL";
  return sequential ? "PERSISTENT_SEQUENTIAL" : "PERSISTENT";
}

export const COMMANDS: ReadonlyMap<string, Command> = new Map(commands.map((c) => [c.name.toLowerCase(), c]));

/** Session-level words the shell handles itself. */
export const SHELL_WORDS = ["help", "quit", "close", "connect", "history", "redo"];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.get(name.toLowerCase());
}

/** Runs one command line's words; throws for usage errors and ZooKeeper errors alike. */
export async function runCommand(ctx: CommandContext, words: readonly string[]): Promise<CommandResult> {
  const [name, ...rest] = words;
  const command = findCommand(name ?? "");
  if (command === undefined) throw new UsageError(`unknown command "${name}"; type help for the list`);
  let args: ParsedArgs;
  try {
    args = parseArgs(rest, command.booleans ?? [], command.valued ?? []);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${command.usage}`);
  }
  if (args.positional.length < command.required) throw new UsageError(`usage: ${command.usage}`);
  return command.run(ctx, args);
}

/** A usage error of one command: exit status 2, the same class the program's own options use. */
export { UsageError };

/** The command list zkCli prints for help, with the shell's own words, sorted as zkCli sorts it. */
export function helpText(): string {
  const shellWords = ["close", "connect host:port", "history", "quit", "redo cmdno"];
  const lines = [...commands.map((c) => c.usage), ...shellWords].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  return ["zkts-cli -server host:port [--json] cmd args", ...lines.map((l) => `\t${l}`)].join("\n");
}
