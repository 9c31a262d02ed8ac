// What the optimizer's bookkeeping costs with many tiny tensors, against one tensor of the same
// total size (tinybench, a fresh setup before each timed call):
//   npx tsx --expose-gc bench/bookkeeping.ts [--count 100000] [--quick]
// Rows: disposing `count` unpacked params in random and in creation order; an Adam constructor
// (validation + packing) over `count` params of 4 floats and over one param of 4·count; loadState of
// each; getState of the last param. Goals (hardening issue): random-order dispose of 100K ≤ 100 ms;
// constructor and loadState within 3× of the one-param case. Prints a markdown table; asserts nothing.
import { Command } from "commander";
import { Bench } from "tinybench";
import { Adam, createEngine, type Engine, type Param } from "../src/index.js";

const options = new Command()
  .option("--count <n>", "tiny params", "100000")
  .option("--quick", "small count and time budget (CI smoke run)")
  .parse()
  .opts<{ count: string; quick?: boolean }>();
const count = options.quick ? 1000 : Number(options.count);
const collect = (globalThis as { gc?: () => void }).gc;

/** A fixed shuffle (Park–Miller), so every run disposes in the same order. */
function shuffled<T>(items: T[]): T[] {
  let seed = 1;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 16807) % 2147483647;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const engine: Engine = await createEngine();
const tiny = () => Array.from({ length: count }, () => engine.param(4));
const one = () => [engine.param(4 * count)];

let params: Param[] = [];
let opt: Adam | null = null;
let saved: Uint8Array = new Uint8Array();
const release = () => {
  opt?.dispose();
  opt = null;
  for (const p of params) p.dispose();
  params = [];
  collect?.();
};
const stepped = (make: () => Param[]) => () => {
  params = make();
  opt = new Adam(params);
  opt.step();
  saved = opt.saveState();
};

// A fixed number of timed calls, each after a fresh setup (setting up 100K params costs more than
// most of the calls timed here, so a time budget would spend minutes in setup).
const bench = new Bench({ time: 0, iterations: options.quick ? 2 : 10, warmup: true, warmupTime: 0, warmupIterations: options.quick ? 1 : 2, throws: true });
const GET_STATE_CALLS = 1000;
const label = `${count.toLocaleString("en")}`;
bench
  .add(`dispose ${label} params, random order`, () => shuffled(params).forEach((p) => p.dispose()), { beforeEach: () => void (params = tiny()), afterEach: release })
  // A free only notes its block; the next allocation merges the noted blocks: count that too.
  .add(`dispose ${label} params, random order, then one allocation`, () => {
    shuffled(params).forEach((p) => p.dispose());
    engine.param(1).dispose();
  }, { beforeEach: () => void (params = tiny()), afterEach: release })
  .add(`dispose ${label} params, creation order`, () => params.forEach((p) => p.dispose()), { beforeEach: () => void (params = tiny()), afterEach: release })
  .add(`Adam constructor, ${label} params of 4`, () => void (opt = new Adam(params)), { beforeEach: () => void (params = tiny()), afterEach: release })
  .add(`Adam constructor, 1 param of ${4 * count}`, () => void (opt = new Adam(params)), { beforeEach: () => void (params = one()), afterEach: release })
  .add(`loadState, ${label} params`, () => opt!.loadState(saved), { beforeEach: stepped(tiny), afterEach: release })
  .add(`loadState, 1 param`, () => opt!.loadState(saved), { beforeEach: stepped(one), afterEach: release })
  .add(`getState of the last of ${label} params, ×${GET_STATE_CALLS}`, () => {
    const last = params[params.length - 1];
    for (let i = 0; i < GET_STATE_CALLS; i++) opt!.getState(last);
  }, { beforeEach: stepped(tiny), afterEach: release });
await bench.run();

console.log(`| operation | median ms | samples |\n| --- | ---: | ---: |`);
for (const task of bench.tasks) {
  const result = task.result as { latency?: { p50?: number; samplesCount?: number } } | undefined;
  console.log(`| ${task.name} | ${(result?.latency?.p50 ?? NaN).toFixed(3)} | ${result?.latency?.samplesCount ?? 0} |`);
}
