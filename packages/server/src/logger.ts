/** Structured logging: one JSON object per line, so logs can be grepped and parsed. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `0x${value.toString(16)}`;
  // An error keeps its stack (and its cause's), so a log line says where it was raised.
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      message: value.message,
      ...(code !== undefined ? { code } : {}),
      stack: value.stack,
      ...(value.cause !== undefined ? { cause: value.cause } : {}),
    };
  }
  return value;
}

export function jsonLogger(write: (line: string) => void, minLevel: LogLevel = "info"): Logger {
  return {
    log(level, message, fields) {
      if (LEVELS[level] < LEVELS[minLevel]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }, jsonSafe)}\n`);
    },
  };
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export const silentLogger: Logger = { log() {} };

export function hex(value: bigint): string {
  return `0x${BigInt.asUintN(64, value).toString(16)}`;
}
