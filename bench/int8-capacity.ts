// The largest Adam model one engine holds, by state storage: allocates tensors (16M numbers, then
// halving down to 64K) each with its Adam until the heap says OUT_OF_MEMORY, and prints the total.
//   npx tsx bench/int8-capacity.ts [--backend wasm-simd] [--max-bytes 4294967296]
import { Command } from "commander";
import { Adam, createEngine, OptimError, type BackendName } from "../src/index.js";
import type { SlotDtype } from "../src/state/layout.js";

const options = new Command()
  .option("--backend <name>", "backend", "wasm-simd")
  .option("--max-bytes <n>", "the engine's heap limit (default: the wasm32 ceiling)")
  .option("--dtypes <list>", "state storages", "float32,bfloat16,int8")
  .parse()
  .opts<{ backend: BackendName; maxBytes?: string; dtypes: string }>();

const totals: Record<string, number> = {};
for (const stateDtype of options.dtypes.split(",") as SlotDtype[]) {
  const engine = await createEngine({ backend: options.backend, maxBytes: options.maxBytes ? Number(options.maxBytes) : undefined });
  let total = 0;
  for (let chunk = 1 << 24; chunk >= 1 << 16; chunk >>= 1) {
    for (;;) {
      try {
        const p = engine.param(chunk);
        try {
          new Adam([p], { stateDtype }).step();
        } catch (error) {
          p.dispose();
          throw error;
        }
        total += chunk;
      } catch (error) {
        if (error instanceof OptimError && error.code === "OUT_OF_MEMORY") break;
        throw error;
      }
    }
  }
  totals[stateDtype] = total;
  console.log(`| ${stateDtype} | ${(total / 1e6).toFixed(1)}M | ${(total / (totals.float32 ?? total)).toFixed(2)}× |`);
  engine.dispose();
}
