import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { getContainerRuntimeClient } from "testcontainers";

/** Every container and network the lab makes carries these labels. */
export const LAB_LABEL = "org.zkts.lab";
export const RUN_LABEL = "org.zkts.lab.run";
/** On a member's container: its server id. */
export const MEMBER_LABEL = "org.zkts.lab.member";
/** On a member's pod (the container whose network namespace the member shares, with named peers): the member's server id. */
export const POD_LABEL = "org.zkts.lab.pod";
/** The process that made them, so a later run can tell leftovers from another run's live resources. */
export const OWNER_LABEL = "org.zkts.lab.owner";

/** The owner label's value for what this process makes. */
export function ownerOfThisProcess(): string {
  return `${hostname()}:${process.pid}`;
}

export type Dockerode = Awaited<ReturnType<typeof getContainerRuntimeClient>>["container"]["dockerode"];

export async function dockerode(): Promise<Dockerode> {
  return (await getContainerRuntimeClient()).container.dockerode;
}

/** A fresh run id and the labels for what that run makes. */
export function runLabels(): { runId: string; labels: Record<string, string> } {
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  return { runId, labels: { [LAB_LABEL]: "true", [RUN_LABEL]: runId, [OWNER_LABEL]: ownerOfThisProcess() } };
}

/** Removes every container (running or not) and then every network labelled with this run. */
export async function removeRun(runId: string): Promise<void> {
  await removeLabelled(`${RUN_LABEL}=${runId}`, () => true);
}

/**
 * Removes what earlier lab processes on this host made and left behind (a crash, a kill -9):
 * resources whose owner process is gone. Another run still in progress keeps its resources.
 */
export async function sweepLeftovers(): Promise<void> {
  await removeLabelled(LAB_LABEL, (labels) => {
    const [host, pid] = (labels[OWNER_LABEL] ?? ":").split(":");
    return host === hostname() && !processAlive(Number(pid));
  });
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function removeLabelled(label: string, chosen: (labels: Record<string, string>) => boolean): Promise<void> {
  const engine = await dockerode();
  const containers = (await engine.listContainers({ all: true, filters: { label: [label] } })).filter((c) => chosen(c.Labels));
  // Containers in another's network namespace (members in their pods) go before the owners.
  const guest = (c: (typeof containers)[number]) => (c.HostConfig?.NetworkMode ?? "").startsWith("container:");
  for (const wave of [containers.filter(guest), containers.filter((c) => !guest(c))]) {
    await Promise.all(wave.map((c) => engine.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone)));
  }
  const networks = await engine.listNetworks({ filters: { label: [label] } });
  for (const n of networks.filter((n) => chosen(n.Labels ?? {}))) await engine.getNetwork(n.Id).remove().catch(ignoreGone);
}

function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
}

/**
 * Cleanups of the runs in progress in this process, run when it is interrupted: a run stopped
 * with Ctrl-C or SIGTERM removes its containers and network before the process exits.
 */
const pendingCleanups = new Set<() => Promise<void>>();
let signalsHooked = false;

export function onInterrupt(cleanup: () => Promise<void>): () => void {
  pendingCleanups.add(cleanup);
  if (!signalsHooked) {
    signalsHooked = true;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        void Promise.allSettled([...pendingCleanups].map((c) => c())).then(() => process.kill(process.pid, signal));
      });
    }
  }
  return () => pendingCleanups.delete(cleanup);
}
