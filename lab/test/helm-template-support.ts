import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

/**
 * Renders a Helm chart's templates for the tests, since no `helm` binary can be installed here
 * (neither npm nor Debian ships one). It understands the part of Go's template language the
 * zkts chart uses, and throws on anything else, so a template that grows past it fails the
 * test instead of rendering wrongly:
 *   {{ .Values.a.b }}, {{ .Release.Name }}, {{ .Chart.Name }} (apiVersion, version, appVersion),
 *   pipelines through quote, default X, toYaml and nindent N,
 *   {{ if X }} ... {{ else }} ... {{ end }}, and {{- / -}} trimming of the whitespace beside.
 */
export interface RenderContext {
  readonly Values: unknown;
  readonly Release: { readonly Name: string; readonly Namespace: string };
  readonly Chart: Record<string, unknown>;
}

type Node = { kind: "text"; text: string } | { kind: "output"; expr: string } | { kind: "if"; cond: string; then: Node[]; else: Node[] };

const ACTION = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;

/** Every document each template of the chart renders to, with the chart's values.yaml overlaid by `overrides`. */
export function renderChart(chartDir: string, release: { name: string; namespace?: string }, overrides: Record<string, unknown> = {}): unknown[] {
  const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  const values = deepMerge(parse(readFileSync(join(chartDir, "values.yaml"), "utf8")), overrides);
  const context: RenderContext = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace ?? "default" },
    // Helm exposes Chart.yaml's keys capitalised (.Chart.Name, .Chart.AppVersion).
    Chart: Object.fromEntries(Object.entries(chart).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v])),
  };
  const documents: unknown[] = [];
  for (const file of readdirSync(join(chartDir, "templates"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const text = renderTemplate(readFileSync(join(chartDir, "templates", file), "utf8"), context);
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file} renders to invalid YAML: ${doc.errors[0]!.message}\n${text}`);
      const value = doc.toJS();
      if (value !== null) documents.push(value);
    }
  }
  return documents;
}

export function renderTemplate(source: string, context: RenderContext): string {
  const [nodes, rest] = parseNodes(tokenize(source), 0, []);
  if (rest !== undefined) throw new Error(`template has an unmatched {{ ${rest} }}`);
  return evaluate(nodes, context);
}

type Token = { kind: "text"; text: string } | { kind: "action"; body: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  let trimNext = false;
  for (const match of source.matchAll(ACTION)) {
    let text = source.slice(at, match.index);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (match[1] === "-") text = text.replace(/\s+$/, "");
    tokens.push({ kind: "text", text }, { kind: "action", body: match[2]! });
    trimNext = match[3] === "-";
    at = match.index! + match[0].length;
  }
  tokens.push({ kind: "text", text: trimNext ? source.slice(at).replace(/^\s+/, "") : source.slice(at) });
  return tokens;
}

/** Parses until `end`/`else` (returned as the stopping word) or the end of the tokens. */
function parseNodes(tokens: Token[], from: number, out: Node[]): [Node[], string | undefined, number] {
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "text") {
      out.push({ kind: "text", text: token.text });
      continue;
    }
    const body = token.body;
    if (body === "end" || body === "else") return [out, body, i];
    if (body.startsWith("if ")) {
      const [thenNodes, stop, at] = parseNodes(tokens, i + 1, []);
      let elseNodes: Node[] = [];
      let end = at;
      if (stop === "else") {
        const [nodes, stop2, at2] = parseNodes(tokens, at + 1, []);
        if (stop2 !== "end") throw new Error(`{{ ${body} }} has no {{ end }}`);
        elseNodes = nodes;
        end = at2;
      } else if (stop !== "end") throw new Error(`{{ ${body} }} has no {{ end }}`);
      out.push({ kind: "if", cond: body.slice(3), then: thenNodes, else: elseNodes });
      i = end;
      continue;
    }
    if (/^(range|with|define|template|block)\b/.test(body)) throw new Error(`unsupported action {{ ${body} }}`);
    out.push({ kind: "output", expr: body });
  }
  return [out, undefined, tokens.length];
}

function evaluate(nodes: Node[], context: RenderContext): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "output") out += printed(pipeline(node.expr, context));
    else out += evaluate(truthy(pipeline(node.cond, context)) ? node.then : node.else, context);
  }
  return out;
}

function printed(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") throw new Error(`a map or list printed without toYaml: ${JSON.stringify(value)}`);
  return String(value);
}

/** Go templates' truth: false, 0, "", nil and empty maps and lists are false. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function pipeline(expr: string, context: RenderContext): unknown {
  let value: unknown;
  let first = true;
  for (const command of expr.split("|").map((c) => c.trim())) {
    const words = command.split(/\s+/);
    const args = words.slice(1).map((w) => argument(w, context));
    if (!first) args.push(value);
    value = first && words.length === 1 && !FUNCTIONS.has(words[0]!) ? argument(words[0]!, context) : call(words[0]!, args);
    first = false;
  }
  return value;
}

const FUNCTIONS = new Set(["quote", "default", "toYaml", "nindent"]);

function call(name: string, args: unknown[]): unknown {
  switch (name) {
    case "quote":
      return JSON.stringify(printed(args[0]));
    case "default":
      return truthy(args[1]) ? args[1] : args[0];
    case "toYaml":
      return stringify(args[0]).trimEnd();
    case "nindent": {
      const pad = " ".repeat(Number(args[0]));
      return `\n${printed(args[1])
        .split("\n")
        .map((line) => pad + line)
        .join("\n")}`;
    }
    default:
      throw new Error(`unsupported template function ${name}`);
  }
}

function argument(word: string, context: RenderContext): unknown {
  if (/^".*"$/.test(word)) return JSON.parse(word);
  if (/^-?\d+$/.test(word)) return Number(word);
  if (!word.startsWith(".")) throw new Error(`unsupported template argument ${word}`);
  let value: unknown = context;
  for (const key of word.slice(1).split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (base === null || typeof base !== "object" || Array.isArray(base) || over === null || typeof over !== "object" || Array.isArray(over)) {
    return over === undefined ? base : over;
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) merged[k] = deepMerge(merged[k], v);
  return merged;
}
