import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { renderChart } from "./helm-template-support.js";
import { HELM_CHART_DIR, type KubeObject, SYSTEMD_UNIT, at, composeServices, kubernetesObjects, ofKind, statefulSetContainer } from "./deploy-files-support.js";

const run = promisify(execFile);

/**
 * The deployment files in deploy/, parsed and checked for the fields an ensemble depends on.
 * The container tier (deploy-image.test.ts) boots the image from the compose file's
 * environment and the StatefulSet's command; this file checks what needs no engine: the
 * Kubernetes objects (and that the Helm chart renders the same ones), the compose file, and
 * the systemd unit through systemd-analyze.
 */
describe("the Kubernetes manifests", () => {
  it("run an ensemble that survives a voluntary disruption: StatefulSet, headless and client services, PodDisruptionBudget", () => {
    checkEnsembleObjects(kubernetesObjects(), 3);
  });
});

describe("the Helm chart", () => {
  it("renders, with its default values and release name zkts, exactly the plain manifests", () => {
    const rendered = renderChart(HELM_CHART_DIR, { name: "zkts" });
    const plain = kubernetesObjects();
    const byKey = (objects: readonly unknown[]) => new Map((objects as KubeObject[]).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    expect([...byKey(rendered).keys()].sort()).toEqual([...byKey(plain).keys()].sort());
    for (const [key, object] of byKey(plain)) expect(byKey(rendered).get(key), key).toEqual(object);
  });

  it("follows its values: the ensemble size, names from the release, storage class, image", () => {
    const rendered = renderChart(
      HELM_CHART_DIR,
      { name: "coord" },
      { replicas: 5, persistence: { storageClass: "fast-ssd", dataSize: "50Gi" }, image: { repository: "registry.example/zkts", tag: "" } },
    );
    checkEnsembleObjects(rendered, 5);
    const statefulSet = ofKind(rendered, "StatefulSet")[0]!;
    expect(statefulSet.metadata.name).toBe("coord");
    expect(at(statefulSet, "spec.serviceName")).toBe("coord-headless");
    // An empty tag falls back to the chart's appVersion.
    expect(at(statefulSet, "spec.template.spec.containers.0.image")).toBe("registry.example/zkts:0.2.0");
    const claims = at(statefulSet, "spec.volumeClaimTemplates") as { spec: { storageClassName?: string; resources: { requests: { storage: string } } } }[];
    expect(claims.map((c) => c.spec.storageClassName)).toEqual(["fast-ssd", "fast-ssd"]);
    expect(claims[0]!.spec.resources.requests.storage).toBe("50Gi");
    // Without a storage class the claims name none, so the cluster's default applies.
    const defaults = ofKind(renderChart(HELM_CHART_DIR, { name: "zkts" }), "StatefulSet")[0]!;
    expect((at(defaults, "spec.volumeClaimTemplates") as { spec: object }[]).every((c) => !("storageClassName" in c.spec))).toBe(true);
  });
});

/** What any rendering of the ensemble must hold, for `replicas` members. */
function checkEnsembleObjects(objects: readonly unknown[], replicas: number): void {
  const [statefulSet, ...moreSets] = ofKind(objects, "StatefulSet");
  expect(statefulSet, "one StatefulSet").toBeDefined();
  expect(moreSets).toEqual([]);
  const podLabels = at(statefulSet, "spec.template.metadata.labels") as Record<string, string>;
  const selects = (selector: unknown) => Object.entries(selector as Record<string, string>).every(([k, v]) => podLabels[k] === v);
  expect(selects(at(statefulSet, "spec.selector.matchLabels"))).toBe(true);

  const services = ofKind(objects, "Service");
  const headless = services.find((s) => at(s, "spec.clusterIP") === "None");
  const client = services.find((s) => s !== headless);
  expect(headless, "a headless service").toBeDefined();
  expect(at(statefulSet, "spec.serviceName")).toBe(headless!.metadata.name);
  // Members resolve each other's names before any is ready (none is, without a quorum).
  expect(at(headless, "spec.publishNotReadyAddresses")).toBe(true);
  expect(selects(at(headless, "spec.selector"))).toBe(true);
  expect((at(headless, "spec.ports") as { port: number }[]).map((p) => p.port).sort()).toEqual([2181, 2888, 3888]);
  expect(client, "a client service").toBeDefined();
  expect(selects(at(client, "spec.selector"))).toBe(true);
  expect(at(client, "spec.ports")).toEqual([{ name: "client", port: 2181, targetPort: "client" }]);

  const [budget] = ofKind(objects, "PodDisruptionBudget");
  expect(budget, "a PodDisruptionBudget").toBeDefined();
  expect(selects(at(budget, "spec.selector.matchLabels"))).toBe(true);
  const maxUnavailable = at(budget, "spec.maxUnavailable") as number;
  // A drain may take members down only while a majority of voters stays up.
  expect(maxUnavailable).toBeGreaterThanOrEqual(1);
  expect(replicas - maxUnavailable).toBeGreaterThanOrEqual(Math.floor(replicas / 2) + 1);

  expect(at(statefulSet, "spec.replicas")).toBe(replicas);
  // Ordered start would wait forever: the first member is never ready alone.
  expect(at(statefulSet, "spec.podManagementPolicy")).toBe("Parallel");
  const pod = at(statefulSet, "spec.template.spec") as Record<string, unknown>;
  expect(at(pod, "securityContext.runAsNonRoot")).toBe(true);
  expect(at(pod, "terminationGracePeriodSeconds")).toBeGreaterThanOrEqual(10);
  const container = at(pod, "containers.0") as Record<string, unknown>;
  expect(at(container, "readinessProbe.exec.command")).toEqual(["zkts-4lw", "isro", "rw"]);
  expect(at(container, "livenessProbe.exec.command")).toEqual(["zkts-4lw", "ruok", "imok"]);
  expect((at(container, "ports") as { containerPort: number }[]).map((p) => p.containerPort)).toEqual(expect.arrayContaining([2181, 2888, 3888]));
  const { env, command } = statefulSetContainer(statefulSet!);
  expect(env.ZKTS_REPLICAS).toBe(String(replicas));
  expect(env.ZKTS_STATEFULSET).toBe(statefulSet!.metadata.name);
  expect(env.ZKTS_HEADLESS_SERVICE).toBe(headless!.metadata.name);
  // The probes' words must be whitelisted.
  expect(env.ZOO_4LW_COMMANDS_WHITELIST!.split(",")).toEqual(expect.arrayContaining(["ruok", "isro"]));
  // myid from the pod's ordinal, then the image's entry point (deploy-image.test.ts runs it).
  expect(command.join(" ")).toMatch(/HOSTNAME##\*-/);
  expect(command.join(" ")).toMatch(/exec docker-entrypoint\.sh zkts-server --config \/conf\/zoo\.cfg/);

  const mounts = new Map((at(container, "volumeMounts") as { name: string; mountPath: string }[]).map((m) => [m.mountPath, m.name]));
  const claims = (at(statefulSet, "spec.volumeClaimTemplates") as { metadata: { name: string } }[]).map((c) => c.metadata.name);
  // The data and the transaction log outlive the pod; the generated zoo.cfg does not need to.
  expect(claims).toContain(mounts.get("/data"));
  expect(claims).toContain(mounts.get("/datalog"));
  expect(mounts.has("/conf")).toBe(true);
}

describe("the compose file", () => {
  it("runs three members with distinct ids, one member list naming them all, and their own volumes", () => {
    const services = composeServices();
    expect(services.map((s) => s.name)).toEqual(["zk1", "zk2", "zk3"]);
    const lists = new Set(services.map((s) => s.environment.ZOO_SERVERS));
    expect(lists.size).toBe(1);
    const servers = [...lists][0]!.split(" ");
    for (const service of services) {
      const id = service.environment.ZOO_MY_ID!;
      expect(servers).toContain(`server.${id}=${service.hostname ?? service.name}:2888:3888;2181`);
      expect(service.image).toMatch(/zkts:/);
      expect(service.volumes.map((v) => v.split(":")[1]).sort()).toEqual(["/data", "/datalog"]);
      // The image's HEALTHCHECK asks ruok.
      expect(service.environment.ZOO_4LW_COMMANDS_WHITELIST!.split(",")).toContain("ruok");
    }
    expect(new Set(services.map((s) => s.environment.ZOO_MY_ID)).size).toBe(3);
    expect(new Set(services.flatMap((s) => s.ports.map((p) => p.split(":")[0]))).size).toBe(3);
  });
});

describe("the systemd unit", () => {
  const unitText = readFileSync(SYSTEMD_UNIT, "utf8");
  const settings = (key: string) => [...unitText.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]!);

  it("passes systemd-analyze verify", async () => {
    // verify checks the command exists and the units it names load, so it runs against a root
    // holding the system's units, the unit, and a stand-in at the ExecStart path.
    const root = mkdtempSync(join(tmpdir(), "zkts-unit-"));
    try {
      const executable = settings("ExecStart")[0]!.split(" ")[0]!;
      mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
      mkdirSync(join(root, executable, ".."), { recursive: true });
      writeFileSync(join(root, executable), "#!/bin/sh\n", { mode: 0o755 });
      cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
      cpSync(SYSTEMD_UNIT, join(root, "etc/systemd/system/zkts.service"));
      const { stderr } = await run("systemd-analyze", ["verify", "--man=no", `--root=${root}`, "/etc/systemd/system/zkts.service"]);
      // Unknown or misspelt keys are only warnings (status 0): none may appear.
      expect(stderr).toBe("");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("is hardened: read-only system, no privilege gain, private /tmp, writable data directories only", async () => {
    expect(settings("ProtectSystem")).toEqual(["strict"]);
    expect(settings("NoNewPrivileges")).toEqual(["yes"]);
    expect(settings("PrivateTmp")).toEqual(["yes"]);
    expect(settings("ProtectHome")).toEqual(["yes"]);
    expect(settings("CapabilityBoundingSet")).toEqual([""]);
    expect(settings("ReadWritePaths")).toEqual(["/var/lib/zkts"]);
    expect(settings("StateDirectory")).toEqual(["zkts"]);
    expect(settings("User")).toEqual(["zkts"]);
    // SIGTERM drains; a config error (status 2) is not retried.
    expect(settings("KillSignal")).toEqual(["SIGTERM"]);
    expect(settings("RestartPreventExitStatus")).toEqual(["2"]);
    const { stdout } = await run("systemd-analyze", ["security", "--offline=true", "--no-pager", SYSTEMD_UNIT]);
    const exposure = Number(/Overall exposure level for zkts\.service: ([\d.]+)/.exec(stdout)?.[1]);
    process.stdout.write(`systemd-analyze security: exposure ${exposure} (0 safest, 10 unsafe)\n`);
    expect(exposure).toBeLessThanOrEqual(2);
  });
});
