/** One metric family of a Prometheus text exposition: its TYPE and its samples. */
export interface Family {
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/**
 * Reads the Prometheus text format (version 0.0.4) as a scraper does: `# TYPE` lines open a
 * family, sample lines (`name{label="v",...} value`) belong to the family whose name they
 * start with. Written apart from the server's encoder so it cannot confirm its mistakes.
 */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) {
      const family: Family = { type: type[2]!, samples: [] };
      families.set(type[1]!, family);
      current = { name: type[1]!, family };
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`not a sample line: ${line}`);
    const name = sample[1]!;
    if (current === null || !name.startsWith(current.name)) throw new Error(`sample ${name} outside its family`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    current.family.samples.push({ name, labels, value: Number(sample[3]) });
  }
  return families;
}

/** The value of a family's sample named `sample` (the family's own name by default) without labels. */
export function sampleValue(families: ReadonlyMap<string, Family>, family: string, sample = family): number {
  const f = families.get(family);
  const s = f?.samples.find((x) => x.name === sample && Object.keys(x.labels).length === 0);
  if (s === undefined) throw new Error(`no sample ${sample} in family ${family}`);
  return s.value;
}

export async function scrape(port: number): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  if (!(response.headers.get("content-type") ?? "").startsWith("text/plain")) throw new Error("/metrics is not text/plain");
  return parseExposition(await response.text());
}

/** Families named after ZooKeeper's metrics, leaving out the process and runtime ones. */
export function zooKeeperFamilies(families: ReadonlyMap<string, Family>): Map<string, Family> {
  return new Map([...families].filter(([name]) => !name.startsWith("process_") && !name.startsWith("nodejs_")));
}
