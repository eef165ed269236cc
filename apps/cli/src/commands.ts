import { joinPath, type CreateModeName, type WatchEvent, type WatchListener, type ZkClient } from "@zkts/client";
import { parseArgs, type ParsedArgs } from "./args.js";
import { formatAcl, formatStat, parseAcl } from "./format.js";

export interface CommandContext {
  client: ZkClient;
  /** Receives watch events set with -w (and addWatch); printed as zkCli prints them. */
  watcher: WatchListener;
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
      return ok(flags.has("s") ? `${text}\n${formatStat(stat)}` : text, { data: data.toString("utf8"), stat });
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
    usage: "deleteall path",
    required: 1,
    pathArgs: [0],
    async run({ client }, { positional }) {
      await client.deleteAll(positional[0]!);
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
    usage: "removewatches path [-c|-d|-a]",
    booleans: ["c", "d", "a"],
    required: 1,
    pathArgs: [0],
    async run({ client }, { flags, positional }) {
      const type = flags.has("c") ? "children" : flags.has("d") ? "data" : "any";
      await client.removeWatches(positional[0]!, type);
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
    usage: "reconfig [-s] [-v version] [[-add serverstring1,...] [-remove serverId1,...] | -members serverstring1,...]",
    booleans: ["s"],
    valued: ["v", "add", "remove", "members"],
    required: 0,
    async run({ client }, { flags, options }) {
      const version = options.get("v");
      const { data, stat } = await client.reconfig({
        joining: options.get("add") ?? null,
        leaving: options.get("remove") ?? null,
        newMembers: options.get("members") ?? null,
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
      return ok(infos.map((i) => `Auth scheme: User\n${i.authScheme}: ${i.user}`).join("\n"), infos);
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

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function helpText(): string {
  return ["ZooKeeper -server host:port [--json] cmd args", ...commands.map((c) => `\t${c.usage}`), "\tconnect host:port", "\tclose", "\thistory", "\tredo cmdno", "\tquit"].join("\n");
}
