import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Cell, ProgramOutput } from "./cell.js";
import { type CheckpointAction, runProgram } from "./run-program.js";
import { matrixWorkDir } from "./work-dir.js";

/**
 * C client cells: programs in c/ compiled at test time with cc against Debian's
 * libzookeeper-mt (3.8), the library cli_mt and most C-based bindings link.
 */
const here = dirname(fileURLToPath(import.meta.url));
const binaries = new Map<string, Promise<string>>();

function binary(source: string): Promise<string> {
  let built = binaries.get(source);
  if (built === undefined) {
    built = (async () => {
      const out = join(matrixWorkDir(), "c");
      mkdirSync(out, { recursive: true });
      const program = join(out, source.replace(/\.c$/, ""));
      const result = await runProgram("cc", ["-DTHREADED", "-Wall", "-Werror", "-o", program, join(here, "c", source), "-lzookeeper_mt"]);
      if (result.code !== 0) throw new Error(`cc failed: ${result.stderr}`);
      return program;
    })();
    binaries.set(source, built);
  }
  return built;
}

function cProgram(source: string) {
  return async (connectString: string, checkpoint?: CheckpointAction): Promise<ProgramOutput> =>
    runProgram(await binary(source), [connectString], { checkpoint });
}

export const cCells: Cell[] = [
  {
    client: "C client 3.8 (libzookeeper-mt)",
    name: "c-plain-api",
    covers:
      "sync create (sequential, ephemeral, container via zoo_create2), get/set/exists/get_children with watches, zoo_multi (commit and failure), zoo_acreate/zoo_aget completions, zoo_remove_watches",
    run: cProgram("plain-api.c"),
    prepare: async () => void (await binary("plain-api.c")),
  },
];
