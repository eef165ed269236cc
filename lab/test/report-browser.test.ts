// The run report in a real browser: Debian's chromium, headless, driven by playwright-core,
// opening index.html from file:// as a person would. The first page is the report of a real
// run (lab/test/fixtures/run-partition-kill: `zkts-lab run --time 11s --rate 60 --seed 7` on
// local processes, zkts, a one-way partition then a kill; its index.html left out); the second
// a hand-made invalid register; the third a hand-made run with reconfigs of every outcome. Each leaves a screenshot in the temporary directory it prints.
// Without chromium this fails: install it with `bash lab/provision/ensure.sh`.
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, type Locator, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../src/report/write-report.js";
import { reconfigRun, staleReadRun, writeRunDirectory } from "./report-support.js";

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

  it("marks each reconfig at its moment on both plots and the timeline, coloured by outcome, and lists it in the schedule table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zkts-lab-report-reconfig-"));
    writeRunDirectory(dir, reconfigRun());
    const { page, errors, requests } = await open(await writeReport(dir));

    await expect(page.locator("#verdict").textContent()).resolves.toBe("valid");
    const colours = { ok: "rgb(27, 94, 32)", failed: "rgb(183, 28, 28)", unknown: "rgb(230, 81, 0)" };
    for (const plot of ["svg.throughput", "svg.latency", "svg.timeline"]) {
      const partition = await page.locator(`${plot} .fault.partition rect`).first().boundingBox();
      for (const [result, colour] of Object.entries(colours)) {
        const mark = page.locator(`${plot} g.reconfig.${result}`).first();
        const line = await mark.locator("line").boundingBox();
        expect(line, `${plot} marks a reconfig ${result}`).not.toBeNull();
        // A line across the plot, not a shade: thin and as tall as the fault shading.
        expect(line!.width).toBeLessThan(4);
        expect(line!.height).toBeGreaterThan(partition!.height - 2);
        await expect(computedStyle(mark.locator("line"), "stroke")).resolves.toBe(colour);
        await expect(mark.locator("text").textContent()).resolves.toMatch(new RegExp(`^reconfig [-+]zk\\d( observer)?: ${result}$`));
        expect(await mark.locator("text").boundingBox()).not.toBeNull();
      }
    }
    // The first removal is inside the partition it was made under, on every picture.
    const removal = await page.locator("svg.throughput g.reconfig.ok line").first().boundingBox();
    const cut = await page.locator("svg.throughput .fault.partition rect").first().boundingBox();
    expect(removal!.x).toBeGreaterThan(cut!.x);
    expect(removal!.x).toBeLessThan(cut!.x + cut!.width);
    await expect(page.locator("svg.throughput g.reconfig").count()).resolves.toBe(4);
    // Every label within its plot, the last one (the heal's restore, at the right edge) too.
    for (const plot of ["svg.throughput", "svg.latency"]) {
      const frame = (await page.locator(plot).boundingBox())!;
      for (const label of await page.locator(`${plot} g.reconfig text`).all()) {
        const box = (await label.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(frame.x);
        expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width);
      }
    }
    await expect(page.locator("svg.timeline g.reconfig").count()).resolves.toBe(3);
    await expect(page.locator("svg.throughput g.reconfig.failed title").textContent()).resolves.toBe(
      "reconfig zk2 to observer: +zk2 (observer): failed (BADARGUMENTS)",
    );

    const rows = page.locator("#schedule table.schedule tbody tr");
    await expect(rows.count()).resolves.toBe(6);
    await expect(page.locator("#schedule tr.reconfig .outcome").allTextContents()).resolves.toEqual(["ok", "failed", "unknown", "ok"]);
    await expect(computedStyle(page.locator("#schedule tr.reconfig.failed .outcome"), "background-color")).resolves.toBe("rgb(198, 40, 40)");
    await expect(page.locator("#membership").textContent()).resolves.toMatch(/restored\. Reconfigs: 2 ok, 1 failed, 1 unknown\./);

    await page.screenshot({ path: join(shots, "reconfigs.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
  }, 60_000);
});
