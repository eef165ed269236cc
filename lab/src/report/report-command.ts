import { writeReport } from "./write-report.js";

export const REPORT_USAGE = `usage: zkts-lab report DIR
  Writes DIR/index.html, one self-contained page about the run in DIR (as zkts-lab run and
  zkts-lab scenario leave it): verdict, throughput and latency with the faults shaded, a
  per-process timeline, the checker's findings and links to the run's files. Runs write it
  themselves; this rebuilds it. Exit status: 0 written, 3 bad usage or unreadable DIR.`;

export async function reportCommand(argv: string[]): Promise<number> {
  const [dir, ...rest] = argv;
  if (dir === "--help" || dir === "-h") {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (dir === undefined || rest.length > 0) {
    process.stderr.write(`${REPORT_USAGE}\n`);
    return 3;
  }
  try {
    process.stdout.write(`${await writeReport(dir)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`zkts-lab report: ${(err as Error).message}\n`);
    return 3;
  }
}
