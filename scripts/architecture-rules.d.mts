// Types of architecture-rules.mjs, for the TypeScript test that reads it.
export declare const ALLOWED: Record<string, string[]>;
export declare const HARNESS: string;
export declare const PURE_SOURCES: string[];
export declare const PURE_EXCEPTIONS: string[];
