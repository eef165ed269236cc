// One znode's data and version, as seen through getData and setData.
//   getData → ok {data, version}                (version may be left out)
//   setData {data, version: expected}          (expected -1 means any version)
//     → ok {version: new}   the write took effect (the new version may be left out)
//     → ok {error: "BADVERSION"}   ZooKeeper refused it; a refusal is an observation of the
//       version, so it is recorded as ok with the error rather than as fail.
import type { Operation } from "../history/types.js";
import { combineHash, hashValue, mix32 } from "../util/hash.js";
import { describeValue, valueEquals } from "../util/values.js";
import { describeOperation, effectOfInput, unsupported, type Model } from "./model.js";

export interface ZnodeState {
  readonly data: unknown;
  readonly version: number;
}

const BAD_VERSION_CODE = -103;

function isBadVersion(output: unknown): boolean {
  if (output === null || typeof output !== "object") return false;
  const error = (output as { error?: unknown }).error;
  return error === "BADVERSION" || error === "BadVersion" || error === BAD_VERSION_CODE;
}

function setDataInput(op: Operation): { data: unknown; version: number } {
  const input = op.input as { data?: unknown; version?: unknown } | unknown[] | null;
  if (Array.isArray(input)) return { data: input[0], version: Number(input[1] ?? -1) };
  if (input && typeof input === "object") return { data: input.data, version: Number(input.version ?? -1) };
  return { data: input, version: -1 };
}

export function zkRegister(initialData: unknown = null): Model<ZnodeState> {
  const name = "zk-register";
  return {
    name,
    init: () => ({ data: initialData, version: 0 }),
    step(state, op) {
      if (op.f === "getData" || op.f === "read") {
        if (op.status === "unknown") return state;
        const out = op.output as { data?: unknown; version?: unknown } | null;
        if (!out || typeof out !== "object") return undefined;
        if (!valueEquals(out.data, state.data)) return undefined;
        return out.version === undefined || out.version === state.version ? state : undefined;
      }
      if (op.f === "setData" || op.f === "write") {
        const { data, version } = setDataInput(op);
        const accepted = version === -1 || version === state.version;
        if (op.status === "unknown") return accepted ? { data, version: state.version + 1 } : undefined;
        if (isBadVersion(op.output)) return accepted ? undefined : state;
        if (!accepted) return undefined;
        const reported = (op.output as { version?: unknown } | null)?.version;
        if (reported !== undefined && reported !== state.version + 1) return undefined;
        return { data, version: state.version + 1 };
      }
      return unsupported(name, op);
    },
    equal: (a, b) => a.version === b.version && valueEquals(a.data, b.data),
    hash: (s) => combineHash(mix32(s.version), hashValue(s.data)),
    isReadOnly: (op) => op.f === "getData" || op.f === "read",
    describeOperation,
    effectKey: effectOfInput,
    describeState: (s) => `${describeValue(s.data)} @v${s.version}`,
  };
}
