import { randomBytes } from "node:crypto";
import { type ZkClient, connect, digestAcl } from "@zkts/client";
import { FUZZ_ROOT } from "./requests.js";

/** Where the well-behaved session writes; only its administrator may. */
export const STEADY_PATH = "/steady";

const WORLD_READ = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/**
 * The namespace a fuzz run works in: an administrator (a digest user with a password made up
 * for the run) owns the root, /zookeeper, /zookeeper/quota and /steady, and the world may only read them;
 * /fuzz is open to all. So everything valid fuzz requests may do lands under /fuzz, and any
 * change elsewhere is the server's fault.
 */
export class GuardedNamespace {
  readonly user = "fuzz-admin";
  readonly password = randomBytes(12).toString("hex");

  get auth(): { scheme: string; auth: string }[] {
    return [{ scheme: "digest", auth: `${this.user}:${this.password}` }];
  }

  async prepare(admin: ZkClient): Promise<void> {
    const adminAll = digestAcl(this.user, this.password);
    await admin.create(FUZZ_ROOT, null, { acl: OPEN });
    await admin.create(STEADY_PATH, "0", { acl: [adminAll, ...WORLD_READ] });
    await admin.setACL("/zookeeper", [adminAll, ...WORLD_READ]);
    await admin.setACL("/zookeeper/quota", [adminAll, ...WORLD_READ]);
    await admin.setACL("/", [adminAll, ...WORLD_READ]);
  }

  connect(connectString: string): Promise<ZkClient> {
    return connect(connectString, { sessionTimeoutMs: 30_000, auth: this.auth });
  }
}

/**
 * Every znode outside the excluded subtrees, with its data, ACL and whole Stat, as text lines
 * in path order: two dumps are equal exactly when nothing there changed.
 */
export async function dumpTree(client: ZkClient, excluded: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string): Promise<void> => {
    if (excluded.includes(path)) return;
    const { data, stat } = await client.getData(path);
    const { acl } = await client.getACL(path);
    const statText = Object.entries(stat)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(",");
    const aclText = acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(";");
    lines.push(`${path} data=${(data ?? Buffer.alloc(0)).toString("hex")} acl=${aclText} ${statText}`);
    const children = (await client.getChildren(path)).sort();
    for (const child of children) await walk(path === "/" ? `/${child}` : `${path}/${child}`);
  };
  await walk("/");
  return lines;
}

export interface SteadyReport {
  writes: number;
  reads: number;
  failures: string[];
  sessionEvents: string[];
}

/**
 * A well-behaved session kept busy while the fuzzer runs: it writes a counter to /steady,
 * reads it back and checks it, over and over. Any failed call or any session event
 * (disconnected, expired) is recorded; a run where the fuzzer disturbed it has some.
 */
export class SteadySession {
  private readonly report: SteadyReport = { writes: 0, reads: 0, failures: [], sessionEvents: [] };
  private running = true;
  private loop: Promise<void> | null = null;

  constructor(private readonly client: ZkClient) {
    for (const name of ["disconnected", "expired", "authFailed", "closed"] as const) {
      client.on(name, () => {
        if (this.running) this.report.sessionEvents.push(name);
      });
    }
  }

  start(pauseMs = 5): void {
    this.loop = (async () => {
      let counter = 0;
      while (this.running) {
        counter++;
        try {
          await this.client.setData(STEADY_PATH, String(counter));
          this.report.writes++;
          const { data } = await this.client.getData(STEADY_PATH);
          this.report.reads++;
          if (data?.toString() !== String(counter)) this.report.failures.push(`read ${data?.toString()} after writing ${counter}`);
        } catch (err) {
          this.report.failures.push(String(err));
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    })();
  }

  async stop(): Promise<SteadyReport> {
    this.running = false;
    await this.loop;
    return this.report;
  }
}
