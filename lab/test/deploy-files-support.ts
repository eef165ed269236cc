import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@zkts/testkit";
import { parse, parseAllDocuments } from "yaml";

/** The deployment files operators use (deploy/), read as the tests check and run them. */
export const DEPLOY_DIR = join(repoRoot, "deploy");
export const COMPOSE_FILE = join(DEPLOY_DIR, "compose/compose.yaml");
export const KUBERNETES_FILE = join(DEPLOY_DIR, "kubernetes/zkts.yaml");
export const HELM_CHART_DIR = join(DEPLOY_DIR, "helm/zkts");
export const SYSTEMD_UNIT = join(DEPLOY_DIR, "systemd/zkts.service");

export interface ComposeService {
  readonly name: string;
  readonly hostname?: string;
  readonly image: string;
  readonly environment: Record<string, string>;
  readonly ports: string[];
  readonly volumes: string[];
}

/** The compose file's services, with its `<<` merges applied. */
export function composeServices(): ComposeService[] {
  const compose = parse(readFileSync(COMPOSE_FILE, "utf8"), { merge: true }) as { services: Record<string, Omit<ComposeService, "name">> };
  return Object.entries(compose.services).map(([name, service]) => ({ name, ...service }));
}

/** A Kubernetes object, loosely typed: the tests look fields up by path. */
export type KubeObject = { kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<string, unknown>;

export function kubernetesObjects(): KubeObject[] {
  return parseAllDocuments(readFileSync(KUBERNETES_FILE, "utf8"))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

export function ofKind(objects: readonly unknown[], kind: string): KubeObject[] {
  return (objects as KubeObject[]).filter((o) => o.kind === kind);
}

/** Field lookup by path ("spec.template.spec.containers.0.image"); undefined when any step is missing. */
export function at(object: unknown, path: string): unknown {
  let value = object;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export interface StatefulSetContainer {
  readonly command: string[];
  readonly env: Record<string, string>;
}

/** The zkts container of a StatefulSet: its command and its environment as a map. */
export function statefulSetContainer(statefulSet: KubeObject): StatefulSetContainer {
  const container = at(statefulSet, "spec.template.spec.containers.0") as { command: string[]; env: { name: string; value: string }[] };
  return { command: container.command, env: Object.fromEntries(container.env.map((e) => [e.name, e.value])) };
}
