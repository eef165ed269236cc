import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Value } from "@sinclair/typebox/value";
import { type Scenario, ScenarioSchema } from "./scenario.js";

/** lab/scenarios, beside src/ and dist/. */
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scenarios");

export class ScenarioError extends Error {}

/** Parses and checks one scenario file; errors name the file and the field. */
export function parseScenario(text: string, source: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${source}: not JSON: ${(err as Error).message}`);
  }
  const first = [...Value.Errors(ScenarioSchema, data)][0];
  if (first !== undefined) throw new ScenarioError(`${source}: ${first.path || "/"}: ${first.message}`);
  const scenario = data as Scenario;
  const lastStep = Math.max(0, ...scenario.steps.map((s) => s.at));
  if (lastStep >= scenario.timeMs) throw new ScenarioError(`${source}: a step at ${lastStep} ms starts after the workload ends (timeMs ${scenario.timeMs})`);
  return scenario;
}

/** Every scenario of the library, by name. */
export function loadScenarios(dir = SCENARIO_DIR): Scenario[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  return files.map((file) => {
    const scenario = parseScenario(readFileSync(join(dir, file), "utf8"), file);
    if (`${scenario.name}.json` !== file) throw new ScenarioError(`${file}: its name is "${scenario.name}"; the file must be named after it`);
    return scenario;
  });
}

export function findScenario(name: string, dir = SCENARIO_DIR): Scenario {
  const scenario = loadScenarios(dir).find((s) => s.name === name);
  if (scenario === undefined) throw new ScenarioError(`no scenario named "${name}" (zkts-lab scenario --list)`);
  return scenario;
}
