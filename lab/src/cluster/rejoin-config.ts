import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { renderZooCfg } from "@zkts/testkit";

/**
 * ZooKeeper 3.8 keeps the configuration a reconfig made in a dynamic file (zoo.cfg gets a
 * `dynamicConfigFile=` line) and refuses to start from a file that leaves it out ("My id N
 * not in the peer list"): a member a reconfig removed cannot simply be started again. Its
 * documented way back is the joiner's: start with the ensemble's current servers plus itself,
 * follow the leader as a non-voter, and become a member again when a reconfig adds it.
 *
 * So before the lab starts a reference member again, a zoo.cfg whose dynamic file leaves the
 * member out is rewritten that way (`startConfig`'s keys, the dynamic file's servers and the
 * member's own line). A member still in its configuration starts from its files unchanged.
 * Returns whether it rewrote the file.
 */
export async function rejoinIfRemoved(configPath: string, id: number, startConfig: Readonly<Record<string, string>>): Promise<boolean> {
  const current = await readFile(configPath, "utf8");
  const dynamicFile = /^dynamicConfigFile=(.+)$/m.exec(current)?.[1]?.trim();
  if (dynamicFile === undefined) return false;
  const dynamic = await readFile(resolve(dirname(configPath), dynamicFile), "utf8");
  const ownLine = new RegExp(`^server\\.${id}=`, "m");
  if (ownLine.test(dynamic)) return false;
  const servers = [...dynamic.matchAll(/^(server\.\d+)=(.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()] as [string, string]);
  const keys = Object.entries(startConfig).filter(([key]) => !key.startsWith("server."));
  const own = startConfig[`server.${id}`];
  if (own === undefined) throw new Error(`server.${id} has no line of its own to rejoin with`);
  await writeFile(configPath, renderZooCfg([...keys, ...servers, [`server.${id}`, own]]));
  return true;
}
