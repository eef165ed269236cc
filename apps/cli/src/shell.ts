import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import readline from "node:readline";
import { connect, joinPath, parentOf, type ClientOptions, type ZkClient } from "@zkts/client";
import { tokenize } from "./args.js";
import { COMMANDS, findCommand, formatWatchEvent, helpText, runCommand, SHELL_WORDS, type ShellSettings } from "./commands.js";
import { errorLine } from "./errors.js";
import { toJson } from "./format.js";

const HISTORY_LINES_MAX = 500;
const historyFile = () => process.env.ZKTS_CLI_HISTORY ?? join(homedir(), ".zkts_cli_history");

/**
 * The interactive shell: zkCli.sh's prompt and commands, line editing and history from
 * readline (kept across runs in ~/.zkts_cli_history), and tab completion of command names
 * and of znode paths, fetched from the server as you type.
 */
export async function runShell(server: string, options: ClientOptions, json: boolean, version: string): Promise<number> {
  let client: ZkClient | undefined;
  const settings: ShellSettings = { printWatches: true };
  let connectString = server;
  const history = loadHistory();
  const executed: string[] = [];

  const print = (text: string) => {
    if (text !== "") process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  };
  const watcher = (event: Parameters<typeof formatWatchEvent>[0]) => {
    if (settings.printWatches) print(json ? toJson({ event }) : formatWatchEvent(event));
  };

  const open = async (target: string) => {
    if (client !== undefined) await client.close();
    client = undefined;
    connectString = target;
    // Every host refusing once is an answer: say so at the prompt instead of waiting.
    client = await connect(target, { ...options, connectAttemptsMax: target.split("/")[0]!.split(",").length });
    client.on("disconnected", () => settings.printWatches && print(`WATCHER::\n\nWatchedEvent state:Disconnected type:None path:null`));
    client.on("expired", () => settings.printWatches && print(`WATCHER::\n\nWatchedEvent state:Expired type:None path:null`));
  };

  try {
    await open(connectString);
  } catch (err) {
    print(errorLine(err));
  }

  // Created only now so no line typed (or piped) during the connect is lost.
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY === true,
    history: [...history].reverse(),
    historySize: HISTORY_LINES_MAX,
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      complete(client, line).then(
        (r) => callback(null, r),
        () => callback(null, [[], line]),
      );
    },
  });

  const prompt = () => {
    rl.setPrompt(`[zk: ${connectString}(${client?.state.toUpperCase() ?? "CLOSED"}) ${executed.length}] `);
    rl.prompt();
  };

  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === "") {
      prompt();
      continue;
    }
    let words: string[];
    try {
      words = tokenize(line);
    } catch (err) {
      print(errorLine(err));
      prompt();
      continue;
    }
    const [name, ...rest] = words;
    if (name === "quit" || name === "exit") break;
    executed.push(line);
    try {
      if (name === "help") print(helpText());
      else if (name === "history") print(executed.map((l, i) => `${i}: ${l}`).join("\n"));
      else if (name === "close") {
        await client?.close();
        client = undefined;
      } else if (name === "connect") await open(rest[0] ?? connectString);
      else if (name === "redo") {
        const again = executed[Number(rest[0])];
        if (again === undefined) throw new Error("no such command number");
        await runLine(again);
      } else await runLine(line);
    } catch (err) {
      print(json ? toJson({ error: errorLine(err) }) : errorLine(err));
    }
    prompt();
  }

  async function runLine(line: string): Promise<void> {
    const words = tokenize(line);
    if (words[0] === "version" || words[0] === "printwatches") {
      // Answered without a server, as zkCli does.
      const offline = client ?? (undefined as unknown as ZkClient);
      const result = await runCommand({ client: offline, watcher, settings, version }, words);
      print(json ? toJson(result.json) : result.text);
      return;
    }
    if (client === undefined) throw new Error("not connected; use connect host:port");
    const result = await runCommand({ client, watcher, settings, version }, words);
    print(json ? toJson(result.json) : result.text);
  }

  rl.close();
  saveHistory([...history, ...executed]);
  await client?.close();
  return 0;
}

export async function complete(client: ZkClient | undefined, line: string): Promise<[string[], string]> {
  const words = line.split(/\s+/);
  if (words.length <= 1) {
    const names = [...COMMANDS.values()].map((c) => c.name).concat(SHELL_WORDS);
    const hits = names.filter((n) => n.startsWith(line));
    return [hits.length > 0 ? hits : names, line];
  }
  const last = words[words.length - 1]!;
  const command = findCommand(words[0]!);
  if (client === undefined || command === undefined || !last.startsWith("/")) return [[], last];
  const dir = last.endsWith("/") ? last.replace(/\/+$/, "") || "/" : parentOf(last);
  const prefix = last.endsWith("/") ? "" : last.slice(last.lastIndexOf("/") + 1);
  const children = await client.getChildren(dir);
  const hits = children
    .filter((c) => c.startsWith(prefix))
    .sort()
    .map((c) => joinPath(dir, c));
  return [hits, last];
}

function loadHistory(): string[] {
  try {
    return readFileSync(historyFile(), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .slice(-HISTORY_LINES_MAX);
  } catch {
    return [];
  }
}

function saveHistory(lines: string[]): void {
  try {
    writeFileSync(historyFile(), lines.slice(-HISTORY_LINES_MAX).join("\n") + "\n");
  } catch {
    // History is a convenience; an unwritable home must not fail the shell.
  }
}
