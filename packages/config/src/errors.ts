import { ErrorCode, KeeperError } from "@zkts/jute";

/**
 * What a server line got wrong, for readers that word their own messages: zoo.cfg's reader
 * names the key and the part (quorum port, election port, ...) where a reconfig answers with
 * ZooKeeper's own text.
 */
export type ServerSpecFault =
  { kind: "form" } | { kind: "port"; part: "quorum" | "election" | "client"; text: string } | { kind: "role"; text: string } | { kind: "other" };

/**
 * A configuration ZooKeeper refuses. Where ZooKeeper throws a ConfigException the answer is
 * BADARGUMENTS; where a Java runtime exception escapes (a server id that is not a number, a
 * port out of range) the request fails with MARSHALLINGERROR instead.
 */
export class EnsembleConfigError extends KeeperError {
  constructor(
    code: typeof ErrorCode.BADARGUMENTS | typeof ErrorCode.MARSHALLINGERROR,
    readonly detail: string,
    readonly fault: ServerSpecFault = { kind: "other" },
  ) {
    super(code);
    this.message = `${this.message}: ${detail}`;
  }
}

export function badArguments(detail: string, fault?: ServerSpecFault): EnsembleConfigError {
  return new EnsembleConfigError(ErrorCode.BADARGUMENTS, detail, fault);
}

export function marshallingError(detail: string, fault?: ServerSpecFault): EnsembleConfigError {
  return new EnsembleConfigError(ErrorCode.MARSHALLINGERROR, detail, fault);
}
