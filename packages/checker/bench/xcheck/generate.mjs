// Writes random cas-register histories (some with one read changed) as one op per line, with
// this checker's verdicts beside them, for comparison with another checker's verdicts.
//   node generate.mjs OUT_DIR [COUNT] [SEED]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { casRegister, checkOperations, pairEvents, seededRandom, simulateCasRegisterHistory } from "../../dist/index.js";

const [outDir = "xcheck-out", countText = "1500", seedText = "424242"] = process.argv.slice(2);
mkdirSync(join(outDir, "h"), { recursive: true });
const random = seededRandom(Number(seedText));
const pick = (n) => Math.floor(random() * n);
const verdicts = [];
let totalMs = 0;
for (let i = 0; i < Number(countText); i++) {
  const shape = {
    seed: pick(2 ** 31),
    operations: 5 + pick(120),
    processes: 2 + pick(7),
    keys: 1 + pick(3),
    unknownRate: [0, 0.05, 0.1, 0.2][pick(4)],
    values: 2 + pick(4),
  };
  const events = simulateCasRegisterHistory({ ...shape, random: seededRandom(shape.seed) });
  // Half the time one read returns another value, which may or may not be observable.
  const reads = events.filter((e) => e.type === "ok" && e.f === "read");
  if (reads.length > 0 && pick(2) === 0) reads[pick(reads.length)].value = pick(shape.values);
  const ops = pairEvents(events).operations;
  const start = performance.now();
  const result = checkOperations(casRegister(), ops, { clock: () => performance.now(), timeoutMs: 10_000 });
  totalMs += performance.now() - start;
  verdicts.push(`${i} ${result.verdict}`);
  const lines = ops
    .filter((op) => op.status !== "fail")
    .map((op) =>
      JSON.stringify({
        client: op.process,
        key: op.key,
        f: op.f,
        input: op.input,
        output: op.output ?? null,
        unknown: op.status === "unknown",
        call: op.call,
        ret: op.ret === Infinity ? -1 : op.ret,
      }),
    );
  writeFileSync(join(outDir, "h", `${i}.jsonl`), lines.join("\n") + "\n");
}
writeFileSync(join(outDir, "ours.txt"), verdicts.join("\n") + "\n");
console.log(`zkts checker: ${verdicts.length} histories checked in ${totalMs.toFixed(0)} ms`);
