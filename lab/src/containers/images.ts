import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { debian, referenceClasspath, repoRoot } from "@zkts/testkit";
import { docker, imageExists } from "./docker-cli.js";
import { ensureDockerEngine } from "./docker-engine.js";
import { InputDigest } from "./input-digest.js";
import { classpathClosure } from "./jar-manifest.js";
import { sharedLibraries } from "./ldd.js";
import { nodeAppFiles } from "./module-closure.js";
import { BUSYBOX, IMAGE_USER, ROOTFS_RECIPE, type RootfsSpec, filesUnder, importRootfs, stageRootfs } from "./rootfs.js";

/** Where the repository's files are inside the node image. */
export const APP_DIR = "/app";
/** The members' data directory inside both images, owned by the image user. */
export const DATA_DIR = "/data";
/**
 * Where a member's zoo.cfg (and what it reads beside it) goes, in both images, owned by the image
 * user: ZooKeeper with reconfigEnabled rewrites zoo.cfg and writes its dynamic files there.
 */
export const CONF_DIR = "/conf";
/** Every image the lab makes is in these repositories, so they can be listed and pruned. */
export const REPOSITORY = "zkts-lab";

export interface ImageBuild {
  readonly tag: string;
  /** True when the engine already held it (nothing was built). */
  readonly cached: boolean;
  readonly ms: number;
}

export interface LabImages {
  /** Node, the zkts server, the lab's Toxiproxy server and its hosts preload. */
  readonly node: string;
  /** Java 17 and Debian's ZooKeeper 3.8 jars. */
  readonly zookeeper: string;
  /** What each step took, in build order (bases first). */
  readonly builds: readonly ImageBuild[];
}

/** The program the node image runs for a Toxiproxy container (compiled; tests run the sources, images hold dist). */
export const TOXIPROXY_ENTRY = join(repoRoot, "lab/dist/containers/toxiproxy-main.js");
/** The lab's dns.lookup preload (hosts-preload.ts), which a zkts member with named peers is started with. */
export const HOSTS_PRELOAD_ENTRY = join(repoRoot, "lab/dist/cluster/hosts-preload.js");

/**
 * Makes (or finds) the lab's images without any registry: two bases imported from root
 * filesystems of this host's own files (node and its libraries; the Java 17 runtime and its
 * libraries), and FROM them the `zkts` image (the built server and the lab's Toxiproxy) and
 * the `zookeeper` image (Debian's ZooKeeper 3.8 jars). Each is tagged by a digest of its inputs
 * and built only when the engine lacks that tag.
 */
export async function ensureLabImages(): Promise<LabImages> {
  await ensureDockerEngine();
  const builds: ImageBuild[] = [];
  const nodeBase = await ensureNodeBase(builds);
  const node = await ensureNodeApp(nodeBase, builds);
  const javaBase = await ensureBase("java-base", await javaRootfs(), builds);
  const zookeeper = await ensureZooKeeper(javaBase, builds);
  return { node, zookeeper, builds };
}

/** The base image holding this host's node and its libraries (and busybox), made or found by digest. */
export async function ensureNodeBase(builds: ImageBuild[]): Promise<string> {
  return await ensureBase("node-base", await nodeRootfs(), builds);
}

async function nodeRootfs(): Promise<RootfsSpec> {
  // Member commands name process.execPath, so the binary is found there in the image too.
  const node = await realpath(process.execPath);
  return { files: [node, ...(await sharedLibraries([node, BUSYBOX]))], links: node === process.execPath ? {} : { [process.execPath]: node } };
}

/**
 * The JVM's parts for a desktop (X11 windows, sound, the splash screen, accessibility), which a
 * headless server never loads; left out so that the X libraries installed on the host or not
 * make no difference to the image.
 */
const DESKTOP_ONLY_JVM_LIBRARIES = /\/lib(awt_xawt|jawt|splashscreen|jsound|atk-wrapper)\.so$/;

/** The JVM that runs the reference server on this host, without its desktop parts, development tools, sources or man pages. */
async function javaRootfs(): Promise<RootfsSpec> {
  const launcher = await realpath(debian.java);
  const home = dirname(dirname(launcher));
  const skipped = new Set(["lib/ct.sym", "lib/src.zip"].map((p) => join(home, p)));
  const lib = await filesUnder(join(home, "lib"), (p) => skipped.has(p) || DESKTOP_ONLY_JVM_LIBRARIES.test(p));
  const conf = await filesUnder(join(home, "conf"));
  const elf = [launcher, ...lib.filter((f) => f.endsWith(".so") || f.endsWith("/jspawnhelper") || f.endsWith("/jexec"))];
  const files = [launcher, ...lib, ...conf, join(home, "release"), ...(await sharedLibraries(elf))];
  return { files: [...new Set(files)], links: { [debian.java]: launcher } };
}

async function ensureBase(name: string, spec: RootfsSpec, builds: ImageBuild[]): Promise<string> {
  const digest = new InputDigest().text("recipe", ROOTFS_RECIPE).text("links", JSON.stringify(spec.links ?? {}));
  for (const file of [...spec.files, BUSYBOX].sort()) await digest.fileIdentity(file);
  const tag = `${REPOSITORY}/${name}:${digest.hex()}`;
  return await ensureImage(tag, builds, async (stage) => {
    await stageRootfs(spec, stage);
    await importRootfs(stage, tag);
  });
}

/** The Dockerfile steps both app images end with: a data directory the image user owns, and that user. */
function userAndDataSteps(): string[] {
  return [
    `RUN mkdir -p ${DATA_DIR} ${CONF_DIR} && chown ${IMAGE_USER.uid}:${IMAGE_USER.gid} ${DATA_DIR} ${CONF_DIR}`,
    `USER ${IMAGE_USER.uid}:${IMAGE_USER.gid}`,
    "ENV HOME=/tmp",
    `LABEL org.zkts.lab.image=true`,
  ];
}

async function ensureNodeApp(base: string, builds: ImageBuild[]): Promise<string> {
  const server = join(repoRoot, "apps/server/dist/main.js");
  const entries = [server, TOXIPROXY_ENTRY, HOSTS_PRELOAD_ENTRY];
  for (const entry of entries) {
    if (!existsSync(entry)) throw new Error(`${entry} does not exist; build first (npx turbo run build)`);
  }
  const app = await nodeAppFiles(repoRoot, entries);
  const dockerfile = [`FROM ${base}`, `COPY app ${APP_DIR}`, `WORKDIR ${APP_DIR}`, ...userAndDataSteps()].join("\n");
  const digest = new InputDigest().text("dockerfile", dockerfile).text("links", JSON.stringify([...app.links]));
  for (const file of app.files) await digest.fileContent(join(repoRoot, file), file);
  const tag = `${REPOSITORY}/zkts:${digest.hex()}`;
  return await ensureImage(tag, builds, async (context) => {
    for (const file of app.files) {
      const to = join(context, "app", file);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(join(repoRoot, file), to);
    }
    for (const [path, target] of app.links) {
      await mkdir(dirname(join(context, "app", path)), { recursive: true });
      await symlink(target, join(context, "app", path));
    }
    await buildImage(context, dockerfile, tag);
  });
}

async function ensureZooKeeper(base: string, builds: ImageBuild[]): Promise<string> {
  const jars = await classpathClosure(referenceClasspath().split(":"));
  const dockerfile = [`FROM ${base}`, `COPY java ${debian.javaDir}`, ...userAndDataSteps()].join("\n");
  const digest = new InputDigest().text("dockerfile", dockerfile);
  for (const jar of jars) await digest.fileIdentity(jar);
  const tag = `${REPOSITORY}/zookeeper:${digest.hex()}`;
  return await ensureImage(tag, builds, async (context) => {
    for (const jar of jars) {
      if (dirname(jar) !== debian.javaDir) throw new Error(`${jar} is outside ${debian.javaDir}`);
      await mkdir(join(context, "java"), { recursive: true });
      await copyFile(jar, join(context, "java", jar.substring(debian.javaDir.length + 1)));
    }
    await buildImage(context, dockerfile, tag);
  });
}

/** A build that stays offline: the classic builder resolves a local FROM image without asking a registry. */
async function buildImage(context: string, dockerfile: string, tag: string): Promise<void> {
  await writeFile(join(context, "Dockerfile"), `${dockerfile}\n`);
  await docker(["build", "--quiet", "--tag", tag, context], { env: { DOCKER_BUILDKIT: "0" } });
}

/** Finds `tag` in the engine, or runs `make` (in a fresh work directory) to build it and drops the repository's older tags. */
export async function ensureImage(tag: string, builds: ImageBuild[], make: (workDir: string) => Promise<void>): Promise<string> {
  const begun = performance.now();
  if (await imageExists(tag)) {
    builds.push({ tag, cached: true, ms: Math.round(performance.now() - begun) });
    return tag;
  }
  const workDir = await mkdtemp(join(tmpdir(), "zkts-lab-image-"));
  try {
    await make(workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  builds.push({ tag, cached: false, ms: Math.round(performance.now() - begun) });
  await removeOlderTags(tag);
  return tag;
}

/** Older builds of the same image are removed (those a container still uses stay). */
async function removeOlderTags(tag: string): Promise<void> {
  const repository = tag.substring(0, tag.lastIndexOf(":"));
  const listed = await docker(["image", "ls", repository, "--format", "{{.Repository}}:{{.Tag}}"]);
  for (const other of listed.split("\n").filter((t) => t.length > 0 && t !== tag)) {
    await docker(["rmi", other]).catch(() => undefined);
  }
}
