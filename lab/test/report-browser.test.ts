// The run report in a real browser: Debian's chromium, headless, driven by playwright-core,
// opening index.html from file:// as a person would. The first page is the report of a real
// run (lab/test/fixtures/run-partition-kill: `zkts-lab run --time 11s --rate 60 --seed 7` on
// local processes, zkts, a one-way partition then a kill; its index.html left out); the second
// a hand-made invalid register. Each leaves a screenshot in the temporary directory it prints.
// Without chromium this fails: install it with `bash lab/provision/ensure.sh`.
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, type Locator, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../src/report/write-report.js";
import { staleReadRun, writeRunDirectory } from "./report-support.js";

const CHROMIUM = process.env.ZKTS_CHROMIUM ?? "/usr/bin/chromium";
const FIXTURE = fileURLToPath(new URL("./fixtures/run-partition-kill", import.meta.url));

/** A CSS property as the browser computed it (the test's types know no DOM, hence the cast). */
function computedStyle(locator: Locator, property: string): Promise<string> {
  type Window = { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } };
  return locator.evaluate((element, name) => (globalThis as unknown as Window).getComputedStyle(element).getPropertyValue(name), property);
}

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  /** Every URL the page asked for. */
  readonly requests: string[];
}

describe("the run report in headless chromium", () => {
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), "zkts-lab-report-shots-"));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run bash lab/provision/ensure.sh (or set ZKTS_CHROMIUM)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"], timeout: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    process.stdout.write(`report screenshots in ${shots}\n`);
  });

  async function open(indexHtml: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(indexHtml).href, { waitUntil: "load" });
    return { page, errors, requests };
  }

  it("renders a real run: verdict, faults shaded on both plots and the timeline, every op on the timeline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-lab-report-run-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const { page, errors, requests } = await open(await writeReport(dir));
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { verdict: string; operations: Record<string, number> };

    await expect(page.locator("#verdict").textContent()).resolves.toBe(results.verdict);
    expect(await page.locator("header").textContent()).toContain(`${results.operations.ok} ok`);
    for (const plot of ["svg.throughput", "svg.latency", "svg.timeline"]) {
      for (const kind of ["partition", "kill"]) {
        const shade = page.locator(`${plot} .fault.${kind} rect`).first();
        const box = await shade.boundingBox();
        expect(box, `${plot} shades the ${kind}`).not.toBeNull();
        expect(box!.width).toBeGreaterThan(10);
        // The style sheet applied: a shade is translucent, not SVG's default opaque black.
        expect(await computedStyle(shade, "opacity")).toBe("0.35");
      }
    }
    await expect(page.locator("svg.throughput polyline.series.ok").getAttribute("points")).resolves.toMatch(/\d+,\d+ \d+/);
    const history = readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n");
    const invokes = history.filter((line) => line.includes('"type":"invoke"')).length;
    await expect(page.locator("svg.timeline rect.bar").count()).resolves.toBe(invokes);
    await expect(page.locator("svg.timeline rect.bar title").first().textContent()).resolves.toMatch(/^op \d+, process \d+: (read|write) \/zkts-lab-register/);
    const logs = await page.locator("#files a").evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
    for (const href of logs) expect(existsSync(fileURLToPath(href)), href).toBe(true);
    expect(logs.length).toBe(7);

    await page.screenshot({ path: join(shots, "run-partition-kill.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
    expect(requests).toHaveLength(1);
  }, 60_000);

  it("renders an invalid register with the op that cannot be placed marked on both timelines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-lab-report-invalid-"));
    writeRunDirectory(dir, staleReadRun());
    const { page, errors, requests } = await open(await writeReport(dir));

    await expect(page.locator("#verdict").textContent()).resolves.toBe("invalid");
    await expect(computedStyle(page.locator("#verdict"), "background-color")).resolves.toBe("rgb(198, 40, 40)");
    await expect(page.locator("#checker .blocking-op").first().textContent()).resolves.toMatch(/Cannot be placed: op 1 \(process 1\) read/);
    await expect(page.locator("#checker g.op.blocking").count()).resolves.toBe(1);
    expect(await page.locator("svg.timeline rect.bar.blocking").boundingBox()).not.toBeNull();
    await expect(page.locator("svg.timeline .fault.kill rect").count()).resolves.toBe(1);

    await page.screenshot({ path: join(shots, "invalid-register.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
  }, 60_000);
});
