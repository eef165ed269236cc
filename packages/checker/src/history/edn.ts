// A reader for the subset of EDN that Jepsen writes: maps, vectors, lists, sets, keywords,
// symbols, strings, numbers, characters, nil and booleans. Tagged values (#jepsen.history.Op{…},
// #inst "…") read as the value after the tag. Keywords and symbols read as their name
// (":ok" → "ok"); maps become plain objects keyed by those names.
import { HistoryError } from "./types.js";

export type EdnValue = null | boolean | number | string | EdnValue[] | { [key: string]: EdnValue };

const DELIMITERS = new Set(["(", ")", "[", "]", "{", "}", '"', ";"]);

export class EdnReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** Reads every top-level form. */
  readAll(): EdnValue[] {
    const forms: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) return forms;
      forms.push(this.read());
    }
  }

  read(): EdnValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw this.error("unexpected end of input");
    switch (c) {
      case "{":
        this.pos++;
        return this.readMap("}");
      case "[":
        this.pos++;
        return this.readSeq("]");
      case "(":
        this.pos++;
        return this.readSeq(")");
      case '"':
        return this.readString();
      case "\\":
        return this.readChar();
      case "#":
        return this.readDispatch();
      case ")":
      case "]":
      case "}":
        throw this.error(`unexpected ${c}`);
      default:
        return this.readAtom();
    }
  }

  private readDispatch(): EdnValue {
    this.pos++;
    const c = this.text[this.pos];
    if (c === "{") {
      this.pos++;
      return this.readSeq("}");
    }
    if (c === "_") {
      this.pos++;
      this.read();
      return this.read();
    }
    // A tag such as #inst or #jepsen.history.Op: keep the tagged value.
    this.readToken();
    return this.read();
  }

  private readMap(close: string): { [key: string]: EdnValue } {
    const map: { [key: string]: EdnValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return map;
      }
      const key = this.read();
      const value = this.read();
      map[typeof key === "string" ? key : JSON.stringify(key)] = value;
    }
  }

  private readSeq(close: string): EdnValue[] {
    const items: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) throw this.error(`missing ${close}`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.read());
    }
  }

  private readString(): string {
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) throw this.error("unterminated string");
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "u":
          out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
          this.pos += 4;
          break;
        default:
          out += e ?? "";
          break;
      }
    }
  }

  private readChar(): string {
    this.pos++;
    const token = this.readToken();
    const named: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r" };
    return named[token] ?? token;
  }

  private readAtom(): EdnValue {
    const token = this.readToken();
    if (token === "") throw this.error(`unexpected ${this.text[this.pos]}`);
    if (token === "nil") return null;
    if (token === "true") return true;
    if (token === "false") return false;
    if (token.startsWith(":")) return token.slice(1);
    if (/^[+-]?\d/.test(token)) return parseNumber(token);
    return token;
  }

  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (isSpace(c) || DELIMITERS.has(c)) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === ";") {
        while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
      } else if (isSpace(c)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  private error(message: string): HistoryError {
    return new HistoryError(`EDN at offset ${this.pos}: ${message}`);
  }
}

function isSpace(c: string): boolean {
  return c === " " || c === "," || c === "\n" || c === "\t" || c === "\r";
}

function parseNumber(token: string): number {
  const plain = token.replace(/[NM]$/, "");
  const ratio = /^([+-]?\d+)\/(\d+)$/.exec(plain);
  const value = ratio ? Number(ratio[1]) / Number(ratio[2]) : Number(plain);
  if (Number.isNaN(value)) throw new HistoryError(`EDN: bad number ${token}`);
  return value;
}

export function readEdn(text: string): EdnValue {
  return new EdnReader(text).read();
}

export function readEdnAll(text: string): EdnValue[] {
  return new EdnReader(text).readAll();
}
