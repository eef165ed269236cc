import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "./support/process.js";

// Every command of the release as built in this checkout, run as a process: --help prints the
// usage on stdout with status 0, --version the release's version, an unknown option is a usage
// error (status 2; 3 for the checker and the lab, whose 2 means "unknown"). No server runs.

const repo = fileURLToPath(new URL("../../..", import.meta.url));

interface Command {
  title: string;
  bin: string;
  /** The built entry point and the words before the options (a subcommand). */
  argv: string[];
  usageExit: number;
  /** Options the help text must document. */
  options: string[];
}

const commands: Command[] = [
  { title: "zkts-server", bin: "zkts-server", argv: ["apps/server/dist/main.js"], usageExit: 2, options: ["--config", "--help", "--version"] },
  {
    title: "zkts-server purge",
    bin: "zkts-server",
    argv: ["apps/server/dist/main.js", "purge"],
    usageExit: 2,
    options: ["-n COUNT", "--count COUNT", "--help"],
  },
  {
    title: "zkts-cli",
    bin: "zkts-cli",
    argv: ["apps/cli/dist/main.js"],
    usageExit: 2,
    options: ["--server", "-server", "--timeout", "--readonly", "--auth", "--json"],
  },
  {
    title: "zkts-bench",
    bin: "zkts-bench",
    argv: ["apps/bench/dist/main.js"],
    usageExit: 2,
    options: ["--server", "--clients", "--outstanding", "--duration", "--size", "--read-ratio", "--seed", "--rate"],
  },
  ...["compare", "ensemble-compare", "linearizable-reads"].map((script) => ({
    title: `zkts-bench ${script}`,
    bin: "zkts-bench",
    argv: ["apps/bench/dist/main.js", script],
    usageExit: 2,
    options: ["--seconds", "--seed"],
  })),
  { title: "zkts-bench failover", bin: "zkts-bench", argv: ["apps/bench/dist/main.js", "failover"], usageExit: 2, options: ["--rounds"] },
  {
    title: "zkts-check",
    bin: "zkts-check",
    argv: ["packages/checker/dist/cli.js"],
    usageExit: 3,
    options: ["--model", "--format", "--timeout", "--html", "--no-partition", "--workload"],
  },
  {
    title: "zkts-lab",
    bin: "zkts-lab",
    argv: ["lab/dist/cli.js"],
    usageExit: 3,
    options: ["sim", "run", "scenario", "replay", "shrink", "catalogue", "report", "toxiproxy", "--version"],
  },
];

const node = (argv: string[], args: string[]) =>
  run(process.execPath, [...argv.map((a, i) => (i === 0 ? `${repo}/${a}` : a)), ...args], { cwd: repo, timeoutMs: 30_000 });

describe.each(commands)("$title", ({ title, bin, argv, usageExit, options }) => {
  it("prints its help on stdout with status 0, documenting its options", async () => {
    const help = await node(argv, ["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: ${title}`));
    for (const option of options) expect(help.stdout).toContain(option);
  });

  it("prints the release's version", async () => {
    const version = await node(argv, ["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${bin} 0.2.0\n` });
  });

  it(`refuses an unknown option with status ${usageExit}`, async () => {
    const refused = await node(argv, ["--no-such-option"]);
    expect(refused.code, refused.stderr).toBe(usageExit);
    expect(refused.stderr.toLowerCase()).toContain("unknown option '--no-such-option'");
    expect(refused.stdout).toBe("");
  });
});
