/** Flags and positional arguments of one shell command, zkCli style: `-s`, `-v 3`, `-m mode`. */
export interface ParsedArgs {
  flags: Set<string>;
  options: Map<string, string>;
  positional: string[];
}

/**
 * Splits a command line into words, honouring single and double quotes so data with spaces
 * can be written: set /a "hello world".
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error("unterminated quote");
  if (inWord) words.push(current);
  return words;
}

/**
 * Parses `words` given which single-letter flags are booleans and which take a value. A lone
 * "-" or anything after "--" is positional, so data starting with "-" can still be passed.
 */
export function parseArgs(words: readonly string[], booleans: readonly string[], valued: readonly string[]): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positional: string[] = [];
  let rest = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (rest || !word.startsWith("-") || word === "-" || /^-\d/.test(word)) {
      positional.push(word);
      continue;
    }
    if (word === "--") {
      rest = true;
      continue;
    }
    const name = word.replace(/^-+/, "");
    if (valued.includes(name)) {
      const value = words[++i];
      if (value === undefined) throw new Error(`-${name} needs a value`);
      options.set(name, value);
    } else if (booleans.includes(name)) {
      flags.add(name);
    } else {
      throw new Error(`unknown option ${word}`);
    }
  }
  return { flags, options, positional };
}
