/**
 * The key `await using` looks up. Node 20 defines Symbol.asyncDispose itself; elsewhere this
 * falls back to the registered symbol that TypeScript's downlevel helper also uses.
 */
export const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);
