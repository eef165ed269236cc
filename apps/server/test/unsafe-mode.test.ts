import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, repoRoot } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { parseProperties } from "../src/properties.js";
import { ConfigError, configFromProperties } from "../src/zoo-cfg.js";

// zkts.unsafe names a deliberately broken mode for the lab; the server runs one only when
// ZKTS_UNSAFE=1 is in its environment too, and then says so loudly.
const main = join(repoRoot, "apps/server/dist/main.js");
const run = promisify(execFile);

/** A one-member ensemble (standaloneEnabled=false), the smallest server that runs every mode. */
async function memberConfig(extra: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "zkts-unsafe-"));
  const [client, quorum, election] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, "myid"), "1\n");
  writeFileSync(
    join(dir, "zoo.cfg"),
    `tickTime=200\ninitLimit=10\nsyncLimit=5\nstandaloneEnabled=false\nadmin.enableServer=false\ndataDir=${dir}\n` +
      `clientPort=${client}\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:${quorum}:${election}:participant;127.0.0.1:${client}\n${extra}`,
  );
  return join(dir, "zoo.cfg");
}

/** The environment without ZKTS_UNSAFE, whatever the test runner's own holds. */
function safeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ZKTS_UNSAFE;
  return env;
}

/** Resolves with everything the process wrote to stderr once a line matches, or rejects when it exits first. */
function stderrUntil(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${text}`));
    });
  });
}

describe("zkts.unsafe", () => {
  it("parses every mode and refuses an unknown one", () => {
    for (const mode of ["commit-without-quorum", "unconfirmed-reads", "ack-before-fsync", "never-expire"]) {
      const props = parseProperties(`tickTime=200\ndataDir=/tmp/x\nclientPort=2181\nzkts.unsafe=${mode}\n`);
      expect(configFromProperties(props, "/").config.unsafe).toBe(mode);
    }
    expect(configFromProperties(parseProperties("tickTime=200\ndataDir=/tmp/x\nclientPort=2181\n"), "/").config.unsafe).toBeNull();
    expect(() => configFromProperties(parseProperties("tickTime=200\ndataDir=/tmp/x\nclientPort=2181\nzkts.unsafe=lose-everything\n"), "/")).toThrow(
      ConfigError,
    );
  });

  it("refuses to start, status 2 and one line, without ZKTS_UNSAFE=1 in the environment", async () => {
    for (const env of [safeEnv(), { ...safeEnv(), ZKTS_UNSAFE: "yes" }]) {
      const failure = await run(process.execPath, [main, "--config", await memberConfig("zkts.unsafe=never-expire\n")], { env }).catch((e) => e);
      expect(failure.code).toBe(2);
      expect(failure.stderr).toBe(
        "zkts-server: zkts.unsafe=never-expire is a deliberately broken mode for testing the lab; refusing to start without ZKTS_UNSAFE=1 in the environment\n",
      );
    }
  });

  it("refuses an unknown mode and a standalone server, status 2", async () => {
    const unknown = await run(process.execPath, [main, "--config", await memberConfig("zkts.unsafe=lose-everything\n")], {
      env: { ...safeEnv(), ZKTS_UNSAFE: "1" },
    }).catch((e) => e);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^zkts-server: zkts\.unsafe: unknown mode "lose-everything" \(commit-without-quorum, /);
    const dir = mkdtempSync(join(tmpdir(), "zkts-unsafe-"));
    writeFileSync(join(dir, "zoo.cfg"), `tickTime=200\ndataDir=${dir}\nclientPort=0\nzkts.unsafe=never-expire\n`);
    const standalone = await run(process.execPath, [main, "--config", join(dir, "zoo.cfg")], { env: { ...safeEnv(), ZKTS_UNSAFE: "1" } }).catch((e) => e);
    expect(standalone.code).toBe(2);
    expect(standalone.stderr).toBe("zkts-server: zkts.unsafe=never-expire: unsafe modes exist for ensemble members only (server.N lines)\n");
  });

  it("with ZKTS_UNSAFE=1, starts and logs a loud warning naming the mode", async () => {
    const child = spawn(process.execPath, [main, "--config", await memberConfig("zkts.unsafe=commit-without-quorum\n")], {
      env: { ...safeEnv(), ZKTS_UNSAFE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      const stderr = await stderrUntil(child, /zkts ensemble member started/, 30_000);
      const warning = stderr.split("\n").find((line) => line.includes("UNSAFE MODE"));
      expect(warning, stderr).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: "warn", unsafe: "commit-without-quorum" });
      expect(warning).toContain("UNSAFE MODE commit-without-quorum: this server is deliberately broken");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
