/**
 * The scenario file format (etcd's datadriven style):
 *
 *   # comment lines (the opening paragraph says what the file checks)
 *   command arg arg
 *   ----
 *   expected output, one or more lines (never empty: "ok" when there is nothing to say)
 *   <blank line>
 */
export interface Block {
  readonly comments: readonly string[];
  readonly command: string;
  readonly expected: readonly string[];
  readonly line: number;
}

export function parseScript(source: string): { blocks: Block[]; trailing: string[] } {
  const lines = source.split("\n");
  const blocks: Block[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.startsWith("#") || line.trim() === "") {
      comments.push(line);
      i += 1;
      continue;
    }
    const command = line.trim();
    const at = i + 1;
    if (lines[i + 1] !== "----") throw new Error(`line ${at + 1}: expected ---- after "${command}"`);
    i += 2;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] as string) !== "") {
      expected.push(lines[i] as string);
      i += 1;
    }
    blocks.push({ comments: trimBlank(comments), command, expected, line: at });
    comments = [];
  }
  return { blocks, trailing: trimBlank(comments) };
}

function trimBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && (out[0] as string).trim() === "") out.shift();
  while (out.length > 0 && (out[out.length - 1] as string).trim() === "") out.pop();
  return out;
}

export function renderScript(blocks: readonly { comments: readonly string[]; command: string; output: readonly string[] }[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    const lines = [...b.comments, b.command, "----", ...(b.output.length === 0 ? ["ok"] : b.output)];
    parts.push(lines.join("\n"));
  }
  return `${parts.join("\n\n")}\n`;
}
