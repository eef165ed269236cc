import type { CommandSpec, OptionSpec } from "./spec.js";

/** The options every command has; declared here so the help text lists them too. */
export const STANDARD_OPTIONS = {
  help: { type: "boolean", short: "h", description: "print this help and exit" },
  version: { type: "boolean", description: "print the version and exit" },
} as const satisfies Record<string, OptionSpec>;

function spellings(name: string, option: OptionSpec): string {
  const forms = [`--${name}`, ...(option.aliases ?? []).map((a) => `-${a}`)];
  if (option.short !== undefined) forms.unshift(`-${option.short}`);
  const value = option.type === "string" ? ` ${option.value ?? "VALUE"}` : "";
  return forms.map((f) => `${f}${value}`).join(", ");
}

/** The usage lines alone: what a usage error prints under its message. */
export function usageLines(spec: CommandSpec): string {
  return spec.synopsis.map((line, i) => `${i === 0 ? "usage: " : "       "}${line}`).join("\n");
}

/** The whole --help text: usage, summary, every option with its description, epilogue. */
export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...STANDARD_OPTIONS } as Record<string, OptionSpec>;
  const rows = Object.entries(options).map(([name, option]) => [spellings(name, option), option.description] as const);
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)));
  const lines = rows.map(([left, text]) => {
    const [first, ...more] = text.split("\n");
    const head = left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${first}` : `  ${left.padEnd(width)}  ${first}`;
    return [head, ...more.map((m) => `  ${" ".repeat(width)}  ${m}`)].join("\n");
  });
  const parts = [usageLines(spec)];
  if (spec.summary !== undefined) parts.push(spec.summary);
  parts.push(`Options:\n${lines.join("\n")}`);
  if (spec.epilogue !== undefined) parts.push(spec.epilogue);
  return `${parts.join("\n\n")}\n`;
}
