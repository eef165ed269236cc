import { chmod, copyFile, mkdir, stat, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { repoRoot } from "@zkts/testkit";
import { docker } from "./docker-cli.js";
import { ensureDockerEngine } from "./docker-engine.js";
import { type ImageBuild, REPOSITORY, ensureImage, ensureNodeBase } from "./images.js";
import { InputDigest } from "./input-digest.js";
import { type AppFiles, nodeAppFiles } from "./module-closure.js";

/** The image files operators build from: the Dockerfile, its entry point and the 4lw probe. */
export const DEPLOY_DOCKER_DIR = join(repoRoot, "deploy/docker");
const DEPLOY_FILES = ["Dockerfile", "docker-entrypoint.sh", "zkts-4lw.mjs"] as const;
/** The server's launcher, which the image links as /usr/local/bin/zkts-server; it loads dist/main.js. */
const SERVER_LAUNCHER = "apps/server/bin/zkts-server.js";
const SERVER_MAIN = "apps/server/dist/main.js";

export interface ServerImage {
  /** The image deploy/docker/Dockerfile made, FROM the lab's offline node base. */
  readonly tag: string;
  readonly builds: readonly ImageBuild[];
}

/** The repository files the image's app/ holds: what the server loads, and its launcher. */
async function serverAppFiles(): Promise<AppFiles> {
  const app = await nodeAppFiles(repoRoot, [join(repoRoot, SERVER_MAIN)]);
  return { files: [...new Set([...app.files, SERVER_LAUNCHER])].sort(), links: app.links };
}

/**
 * Lays out the context deploy/docker/Dockerfile builds from: app/ with the built server and
 * only the modules it loads (workspace links kept, as npm made them), and the deploy files.
 * deploy/docker/build.sh runs this for operators; the lab builds from the same layout.
 */
export async function stageServerImageContext(context: string, app?: AppFiles): Promise<void> {
  const files = app ?? (await serverAppFiles());
  for (const file of files.files) {
    const to = join(context, "app", file);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(repoRoot, file), to);
    await chmod(to, (await stat(join(repoRoot, file))).mode & 0o777);
  }
  for (const [path, target] of files.links) {
    await mkdir(dirname(join(context, "app", path)), { recursive: true });
    await symlink(target, join(context, "app", path));
  }
  for (const file of DEPLOY_FILES) {
    await copyFile(join(DEPLOY_DOCKER_DIR, file), join(context, file));
    await chmod(join(context, file), (await stat(join(DEPLOY_DOCKER_DIR, file))).mode & 0o777);
  }
}

/**
 * Builds (or finds, by the digest of its inputs) the operators' image from
 * deploy/docker/Dockerfile with the base swapped for the lab's offline node base, as an
 * operator without a registry would: `--build-arg BASE_IMAGE=...`.
 */
export async function ensureServerImage(): Promise<ServerImage> {
  await ensureDockerEngine();
  const builds: ImageBuild[] = [];
  const base = await ensureNodeBase(builds);
  const app = await serverAppFiles();
  const digest = new InputDigest().text("base", base).text("links", JSON.stringify([...app.links]));
  for (const file of DEPLOY_FILES) await digest.fileContent(join(DEPLOY_DOCKER_DIR, file), `deploy/docker/${file}`);
  for (const file of app.files) await digest.fileContent(join(repoRoot, file), file);
  const tag = `${REPOSITORY}/server:${digest.hex()}`;
  await ensureImage(tag, builds, async (context) => {
    await stageServerImageContext(context, app);
    // The classic builder resolves a local FROM image without asking a registry.
    await docker(["build", "--quiet", "--build-arg", `BASE_IMAGE=${base}`, "--tag", tag, context], {
      env: { DOCKER_BUILDKIT: "0" },
    });
  });
  return { tag, builds };
}
