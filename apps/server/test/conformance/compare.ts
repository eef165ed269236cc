/** Compares two transcripts entry by entry, letting through only the listed differences. */
export interface AllowedDifference {
  scenario: string;
  /** Fields an entry must have (on either side) for a difference in it to be allowed. */
  entry: Record<string, unknown>;
  reason: string;
}

export interface Difference {
  index: number;
  reference: unknown;
  zkts: unknown;
}

function matches(entry: unknown, pattern: Record<string, unknown>): boolean {
  if (entry === null || typeof entry !== "object") return false;
  const e = entry as Record<string, unknown>;
  return Object.entries(pattern).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v));
}

export function compareTranscripts(scenario: string, reference: unknown[], zkts: unknown[], allowed: readonly AllowedDifference[]): Difference[] {
  const rules = allowed.filter((a) => a.scenario === scenario);
  const out: Difference[] = [];
  const length = Math.max(reference.length, zkts.length);
  for (let i = 0; i < length; i++) {
    const a = reference[i];
    const b = zkts[i];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (rules.some((rule) => matches(a, rule.entry) || matches(b, rule.entry))) continue;
    out.push({ index: i, reference: a, zkts: b });
  }
  return out;
}
