import type { WorkloadVerdict } from "../workloads/workload.js";
import type { RunOptions } from "./run-options.js";

/**
 * The run as one JUnit test case, so CI systems list it: a failure when the history is
 * invalid; an unknown verdict is reported as skipped, never as a failure (a budget that ran
 * out must not turn CI red by itself).
 */
export function junitXml(options: RunOptions, verdict: "valid" | "invalid" | "unknown", check: WorkloadVerdict): string {
  const name = `${options.workload} on ${options.target} (${options.driver}, ${options.nodes} members, nemesis ${options.nemesis.join(",") || "none"}, seed ${options.seed})`;
  const body =
    verdict === "invalid"
      ? `<failure message="${escape(`${check.checker}: history invalid`)}">${escape(check.problems.join("\n"))}</failure>`
      : verdict === "unknown"
        ? `<skipped message="${escape(`${check.checker}: verdict unknown (search budget reached)`)}"/>`
        : "";
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuite name="zkts-lab" tests="1" failures="${verdict === "invalid" ? 1 : 0}" skipped="${verdict === "unknown" ? 1 : 0}">`,
    `  <testcase classname="zkts-lab.${options.workload}" name="${escape(name)}">${body}</testcase>`,
    `</testsuite>`,
    "",
  ].join("\n");
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
