import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { debian } from "@zkts/testkit";
import type { Cell, ProgramOutput } from "./cell.js";
import { type CheckpointAction, runProgram } from "./run-program.js";
import { matrixWorkDir } from "./work-dir.js";

/**
 * Java client cells: programs in java/ compiled at test time with the machine's javac against
 * Debian's ZooKeeper 3.8 jars (the client and its lock, election and queue recipe jars), then
 * run with slf4j-nop so only the program's own lines reach stdout.
 */
const here = dirname(fileURLToPath(import.meta.url));
const jars = [
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "zookeeper-recipes-lock.jar",
  "zookeeper-recipes-election.jar",
  "zookeeper-recipes-queue.jar",
  "slf4j-api.jar",
  "slf4j-nop.jar",
].map((jar) => join(debian.javaDir, jar));

let compiled: Promise<string> | undefined;

/** Compiles every program once per test run. */
function classes(): Promise<string> {
  compiled ??= (async () => {
    const out = join(matrixWorkDir(), "java");
    mkdirSync(out, { recursive: true });
    const sources = readdirSync(join(here, "java"))
      .filter((file) => file.endsWith(".java"))
      .map((file) => join(here, "java", file));
    const result = await runProgram("javac", ["-nowarn", "-d", out, "-cp", jars.join(":"), ...sources]);
    if (result.code !== 0) throw new Error(`javac failed: ${result.stderr}`);
    return out;
  })();
  return compiled;
}

function javaProgram(mainClass: string) {
  return async (connectString: string, checkpoint?: CheckpointAction): Promise<ProgramOutput> => {
    const classpath = [await classes(), ...jars].join(":");
    return runProgram(debian.java, ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, mainClass, connectString], { checkpoint });
  };
}

const client = "Java client 3.8 (Debian)";

export const javaCells: Cell[] = [
  {
    client,
    name: "java-plain-api",
    covers:
      "create in every mode, getData/setData/exists/getChildren with watches, multi (commit and failure), async callbacks, addWatch PERSISTENT_RECURSIVE, getEphemerals, getAllChildrenNumber",
    run: javaProgram("PlainApi"),
    prepare: async () => void (await classes()),
  },
  {
    client,
    name: "java-recipes",
    covers: "zookeeper-recipes jars: WriteLock handed over, LeaderElectionSupport with a successor, DistributedQueue (blocking take)",
    run: javaProgram("Recipes"),
    prepare: async () => void (await classes()),
  },
];
