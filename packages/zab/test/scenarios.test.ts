import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Interpreter } from "./support/interpreter.js";
import { parseScript, renderScript } from "./support/script.js";

// ZAB_REWRITE=1 npx vitest run test/scenarios.test.ts rewrites the expected output in place.
const REWRITE = process.env.ZAB_REWRITE === "1";
const dir = join(import.meta.dirname, "scenarios");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort();

describe("scenario scripts", () => {
  it("has scenario files", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const { blocks, trailing } = parseScript(readFileSync(path, "utf8"));
      expect(blocks[0]?.comments.length ?? 0, `${file} opens with a paragraph saying what it checks`).toBeGreaterThan(0);
      const interpreter = new Interpreter();
      const rendered = blocks.map((b) => {
        let output: string[];
        try {
          output = interpreter.run(b.command);
        } catch (e) {
          output = [`error: ${(e as Error).message}`];
        }
        return { comments: b.comments, command: b.command, output: output.length === 0 ? ["ok"] : output };
      });
      if (REWRITE) {
        writeFileSync(path, renderScript(rendered) + (trailing.length > 0 ? `\n${trailing.join("\n")}\n` : ""));
        return;
      }
      for (const [i, b] of blocks.entries()) {
        const actual = (rendered[i] as { output: string[] }).output.join("\n");
        expect(actual, `${file}:${b.line} ${b.command}`).toBe(b.expected.join("\n"));
      }
    });
  }
});
