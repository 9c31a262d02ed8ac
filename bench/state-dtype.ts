// Adam with float32 against bfloat16 and int8 state (tinybench):
//   npm run bench:state-dtype [-- --sizes 1048576,16777216 --backend wasm-simd --time 2000 --dtypes float32,bfloat16,int8 --threads 1]
// Rows: resident heap bytes per parameter (values + gradients + state, measured as the heap's live
// bytes an Adam over one tensor adds: goal ≤ 12.1 with bfloat16, ≤ 10.1 with int8, 16 with float32)
// and params/s of one step, per size and storage. Prints markdown tables; asserts nothing.
import { Command } from "commander";
import { Bench } from "tinybench";
import { Adam, createEngine, type BackendName } from "../src/index.js";
import type { SlotDtype } from "../src/state/layout.js";

const options = new Command()
  .option("--sizes <list>", "parameter counts", "1048576,16777216")
  .option("--backend <name>", "backend", "wasm-simd")
  .option("--time <ms>", "time budget per row", "2000")
  .option("--dtypes <list>", "state storages", "float32,bfloat16,int8")
  .option("--threads <n>", "the engine's threads", "1")
  .parse()
  .opts<{ sizes: string; backend: BackendName; time: string; dtypes: string; threads: string }>();
const sizes = options.sizes.split(",").map(Number);
const DTYPES = options.dtypes.split(",") as SlotDtype[];

const engine = await createEngine({ backend: options.backend, threads: Number(options.threads) });
console.log(`backend ${engine.backend}, ${engine.threads} thread(s)\n`);
const bytesRows: string[] = [];
const bench = new Bench({ time: Number(options.time), warmup: true, warmupTime: 200, throws: true });
const disposers: (() => void)[] = [];
for (const n of sizes) {
  for (const stateDtype of DTYPES) {
    const before = engine.heap.usedBytes;
    const p = engine.param(n);
    p.data.fill(0.5);
    p.grad.fill(0.01);
    const opt = new Adam([p], { lr: 1e-3, stateDtype });
    opt.step();
    bytesRows.push(`| ${n.toLocaleString("en")} | ${stateDtype} | ${((engine.heap.usedBytes - before) / n).toFixed(3)} | ${(opt.stateBytes / n).toFixed(3)} |`);
    bench.add(`Adam ${stateDtype} n=${n}`, () => void opt.step());
    disposers.push(() => {
      opt.dispose();
      p.dispose();
    });
  }
}
await bench.run();
console.log("| params | state | heap bytes / param (value + grad + state) | state bytes / param |\n| ---: | --- | ---: | ---: |");
console.log(bytesRows.join("\n"));
console.log("\n| step | median ms | params/s (M) | samples |\n| --- | ---: | ---: | ---: |");
for (const task of bench.tasks) {
  const n = Number(task.name.slice(task.name.indexOf("n=") + 2));
  const result = task.result as { latency?: { p50?: number; samplesCount?: number } } | undefined;
  const ms = result?.latency?.p50 ?? NaN;
  console.log(`| ${task.name} | ${ms.toFixed(3)} | ${(n / ms / 1e3).toFixed(0)} | ${result?.latency?.samplesCount ?? 0} |`);
}
for (const dispose of disposers) dispose();
engine.dispose();
