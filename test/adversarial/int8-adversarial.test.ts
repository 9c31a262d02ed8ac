// An adversarial pass over compact (int8) state: paths a hostile user reaches that the int8 suites
// (test/int8-*.test.ts) do not, each a defect found and fixed, kept as a regression test.
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/index.js";
import { tfjsOptimizer, WasmOptimizer } from "../../src/tfjs/index.js";
import { expectOptimError } from "../helpers/errors.js";
import { loadTfjsLayers, type TfUnion } from "../helpers/tfjs-layers.js";

describe("the TF.js adapter and compact state", () => {
  let tf: TfUnion;
  beforeAll(async () => {
    tf = await loadTfjsLayers("cpu");
  });

  // The adapter keeps a skipped variable's state by copying it out of getState and back into its
  // views, and setWeights rebuilds a saved state at 4 bytes a number: int8 (and bfloat16) getState
  // returns copies and their saved slots are not 4 bytes a number. Before the fix, stateDtype passed
  // straight through: a variable without a gradient had its int8 moments decayed and requantized,
  // and setWeights of the adapter's own getWeights threw STATE_INCOMPATIBLE.
  it.each(["int8", "bfloat16"])("refuses stateDtype %s with INVALID_ARGUMENT, allocating nothing", async (stateDtype) => {
    const engine = await createEngine({ backend: "js" });
    const used = engine.heap.usedBytes;
    expectOptimError(() => new WasmOptimizer(engine, "adam", { lr: 0.1, stateDtype } as never), "INVALID_ARGUMENT");
    await expect(tfjsOptimizer("adamw", { lr: 0.1, stateDtype, engine } as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(engine.heap.usedBytes).toBe(used);
    // float32 (the default, spelled out) still works, and keeps a skipped variable's state.
    const opt = await tfjsOptimizer("adam", { lr: 0.1, stateDtype: "float32", engine } as never);
    const a = tf.variable(tf.tensor1d([1, 2, 3]), true, `int8adv_a_${stateDtype}`);
    const b = tf.variable(tf.tensor1d([4, 5]), true, `int8adv_b_${stateDtype}`);
    opt.applyGradients({ [a.name]: tf.tensor1d([1, 1, 1]), [b.name]: tf.tensor1d([1, -1]) });
    const before = (await opt.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    opt.applyGradients({ [a.name]: tf.tensor1d([1, 1, 1]) });
    const after = await opt.getWeights();
    const bState = after.filter((w) => w.name.startsWith(`${b.name}/`) && !w.name.endsWith("/step"));
    expect(bState.length).toBeGreaterThan(0);
    for (const w of bState) expect(Array.from(w.tensor.dataSync())).toEqual(before[after.indexOf(w)]);
    opt.dispose();
    a.dispose();
    b.dispose();
    engine.dispose();
  });
});
