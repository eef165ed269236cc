const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Znode data for --json: text when it is valid UTF-8, otherwise base64, and which one it is. */
export function dataJson(data: Buffer): { data: string; encoding: "utf8" | "base64" } {
  try {
    return { data: strictUtf8.decode(data), encoding: "utf8" };
  } catch {
    return { data: data.toString("base64"), encoding: "base64" };
  }
}
