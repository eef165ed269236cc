/**
 * The throughput chart's SVG text, read back as XML: well nested, both series named, eleven
 * points each, every coordinate inside the viewBox.
 */
import { describe, expect, it } from "vitest";
import { lineChartSvg, niceTicks } from "../src/svg-chart.js";

const READ_PERCENTS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
const chart = lineChartSvg({
  title: "Throughput vs read percentage <standalone> & more",
  xLabel: "Percentage of read requests",
  yLabel: "Operations per second",
  series: [
    { name: "ZooKeeper 3.8", points: READ_PERCENTS.map((x) => ({ x, y: 20_000 + x * 500 })) },
    { name: "zkts", points: READ_PERCENTS.map((x) => ({ x, y: 15_000 + x * 900 })) },
  ],
  xTicks: READ_PERCENTS,
});

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

/** Enough of an XML reader for generated SVG: elements, attributes, text; throws on bad nesting. */
function parseXml(xml: string): Element {
  const root: Element = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  const token = /<\?[^?]*\?>|<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let consumed = 0;
  for (const match of xml.matchAll(token)) {
    consumed = match.index + match[0].length;
    const [, closing, name, attributeText, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      top.text += text;
    } else if (name === undefined) {
      continue;
    } else if (closing === "/") {
      expect(top.name).toBe(name);
      stack.pop();
    } else {
      const attributes = Object.fromEntries([...attributeText!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
      const element: Element = { name, attributes, children: [], text: "" };
      top.children.push(element);
      if (selfClosing !== "/") stack.push(element);
    }
  }
  expect(consumed).toBe(xml.length);
  expect(stack).toHaveLength(1);
  return root;
}

function* walk(e: Element): Generator<Element> {
  yield e;
  for (const child of e.children) yield* walk(child);
}

describe("lineChartSvg", () => {
  const svg = parseXml(chart).children.find((e) => e.name === "svg")!;
  const viewBox = svg.attributes.viewBox!.split(" ").map(Number);
  const [, , width, height] = viewBox as [number, number, number, number];

  it("is one well-formed svg element with a viewBox and escaped text", () => {
    expect(svg.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(viewBox).toHaveLength(4);
    expect(chart).toContain("&lt;standalone&gt; &amp; more");
    // Standalone: nothing fetched from elsewhere.
    expect(chart).not.toMatch(/href=|<script|@import|url\(/);
  });

  it("names both series in the legend and draws eleven points for each", () => {
    const texts = [...walk(svg)].filter((e) => e.name === "text").map((e) => e.text);
    expect(texts).toContain("ZooKeeper 3.8");
    expect(texts).toContain("zkts");
    expect(texts).toEqual(expect.arrayContaining(["Percentage of read requests", "Operations per second"]));
    const groups = [...walk(svg)].filter((e) => e.attributes["data-series"] !== undefined);
    expect(groups.map((g) => g.attributes["data-series"])).toEqual(["ZooKeeper 3.8", "zkts"]);
    for (const group of groups) {
      expect(group.children.filter((e) => e.attributes.class === "point")).toHaveLength(11);
      const polyline = group.children.find((e) => e.name === "polyline")!;
      expect(polyline.attributes.points!.split(" ")).toHaveLength(11);
    }
  });

  it("keeps every coordinate inside the viewBox", () => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const e of walk(svg)) {
      for (const [key, value] of Object.entries(e.attributes)) {
        if (["x", "x1", "x2", "cx"].includes(key)) xs.push(Number(value));
        if (["y", "y1", "y2", "cy"].includes(key)) ys.push(Number(value));
        if (key === "points") {
          for (const pair of value.split(" ")) {
            const [x, y] = pair.split(",").map(Number) as [number, number];
            xs.push(x);
            ys.push(y);
          }
        }
      }
    }
    expect(xs.length).toBeGreaterThan(22);
    for (const x of xs) expect(x >= 0 && x <= width, `x ${x}`).toBe(true);
    for (const y of ys) expect(y >= 0 && y <= height, `y ${y}`).toBe(true);
  });

  it("puts the y axis ticks at round values covering the largest point", () => {
    expect(niceTicks(105_000)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
