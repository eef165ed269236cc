import { readFile, writeFile } from "node:fs/promises";
import { posix } from "node:path";
import { renderZooCfg } from "@zkts/testkit";

/**
 * ZooKeeper 3.8 and zkts keep the configuration a reconfig made in a dynamic file (zoo.cfg gets
 * a `dynamicConfigFile=` line) and refuse to start from a file that leaves them out ("My id N
 * not in the peer list"): a member a reconfig removed cannot simply be started again. Its
 * documented way back is the joiner's: start with the ensemble's current servers plus itself,
 * follow the leader as a non-voter, and become a member again when a reconfig adds it.
 *
 * So before the lab starts a member again, a zoo.cfg whose dynamic file leaves the
 * member out is rewritten that way (`startConfig`'s keys, the dynamic file's servers and the
 * member's own line). A member still in its configuration starts from its files unchanged.
 * Returns whether it rewrote the file.
 */
export async function rejoinIfRemoved(configPath: string, id: number, startConfig: Readonly<Record<string, string>>): Promise<boolean> {
  const rewritten = await rejoinedZooCfg(await readFile(configPath, "utf8"), configPath, (path) => readFile(path, "utf8"), id, startConfig);
  if (rewritten === null) return false;
  await writeFile(configPath, rewritten);
  return true;
}

/**
 * The same decision on texts, for members whose files are not on this host (a container's):
 * the zoo.cfg `current` found at `configPath`, and `read` to fetch the dynamic file it names
 * (a relative name counts from zoo.cfg's directory). Null when the member is in its own last
 * configuration (or has none yet), else the joiner's zoo.cfg.
 */
export async function rejoinedZooCfg(
  current: string,
  configPath: string,
  read: (path: string) => Promise<string>,
  id: number,
  startConfig: Readonly<Record<string, string>>,
): Promise<string | null> {
  const dynamicFile = /^dynamicConfigFile=(.+)$/m.exec(current)?.[1]?.trim();
  if (dynamicFile === undefined) return null;
  const dynamic = await read(posix.resolve(posix.dirname(configPath), dynamicFile));
  const ownLine = new RegExp(`^server\\.${id}=`, "m");
  if (ownLine.test(dynamic)) return null;
  const servers = [...dynamic.matchAll(/^(server\.\d+)=(.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()] as [string, string]);
  const keys = Object.entries(startConfig).filter(([key]) => !key.startsWith("server."));
  const own = startConfig[`server.${id}`];
  if (own === undefined) throw new Error(`server.${id} has no line of its own to rejoin with`);
  return renderZooCfg([...keys, ...servers, [`server.${id}`, own]]);
}

/** The line a member's log gets when the lab rewrites its zoo.cfg that way. */
export function rejoinNotice(id: number): string {
  return `zkts-lab: zk${id} is not in its own last configuration: zoo.cfg rewritten as a joiner's (the ensemble's servers and itself)\n`;
}
