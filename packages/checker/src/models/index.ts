// Models by the names the CLI and the lab use.
import { kvEntry } from "./kv.js";
import type { Model } from "./model.js";
import { mutex } from "./mutex.js";
import { fifoQueue } from "./queue.js";
import { casRegister, register } from "./register.js";
import { setModel } from "./set.js";
import { zkRegister } from "./zk-register.js";

export const MODELS: Record<string, () => Model<any>> = {
  register: () => register(),
  "cas-register": () => casRegister(),
  "zk-register": () => zkRegister(),
  kv: () => kvEntry(),
  set: () => setModel(),
  queue: () => fifoQueue(),
  mutex: () => mutex(),
};

export function modelByName(name: string): Model<any> {
  const make = MODELS[name];
  if (!make) throw new Error(`unknown model ${name}; known: ${Object.keys(MODELS).join(", ")}`);
  return make();
}

export { keyed } from "./keyed.js";
export { kvEntry, type KvState } from "./kv.js";
export { describeOperation, type Model } from "./model.js";
export { mutex } from "./mutex.js";
export { fifoQueue } from "./queue.js";
export { casRegister, register } from "./register.js";
export { setModel } from "./set.js";
export { zkRegister, type ZnodeState } from "./zk-register.js";
