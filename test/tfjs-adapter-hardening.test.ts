// The adapter's "a call that throws changed nothing": variableNames, getWeights' values and the
// heap's used bytes are the same after each refused call, and training goes on from there.
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../src/index.js";
import { tfjsOptimizer, type WasmOptimizer } from "../src/tfjs/index.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import { loadTfjsLayers, type TfUnion } from "./helpers/tfjs-layers.js";

let tf: TfUnion;
let nextName = 0;
beforeAll(async () => {
  tf = await loadTfjsLayers("cpu");
});

function variable(n: number, seed: number): import("@tensorflow/tfjs").Variable {
  return tf.variable(tf.tensor1d(uniform(n, seed)), true, `hardening${nextName++}`);
}

/** What a refused call must leave as it was. */
async function snapshot(opt: WasmOptimizer, engine: Engine) {
  const weights = (await opt.getWeights()).map(({ name, tensor }) => [name, Array.from(tensor.dataSync())] as const);
  return { names: opt.variableNames, weights, used: engine.heap.usedBytes };
}

/** Each `/step` weight's value, by variable. */
async function steps(opt: WasmOptimizer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { name, tensor } of await opt.getWeights()) if (name.endsWith("/step")) out[name.slice(0, -5)] = tensor.dataSync()[0];
  return out;
}

describe("wasm-optim/tfjs refuses bad input without changing anything", () => {
  it("setWeights with a state loadState refuses (negative expAvgSq, step 2^41): STATE_INCOMPATIBLE, every variable's state kept", async () => {
    for (const variant of ["negative", "step"] as const) {
      const engine = await createEngine();
      const opt = await tfjsOptimizer("adam", { lr: 0.1, engine });
      const [v, w] = [variable(3, 1), variable(2, 2)];
      for (let i = 0; i < 3; i++) tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d([0.1, 0.2, 0.3]), [w.name]: tf.ones([2]) }));
      const before = await snapshot(opt, engine);
      const weights = (await opt.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
      const i = weights.findIndex((x) => x.name === (variant === "negative" ? `${v.name}/expAvgSq` : `${v.name}/step`));
      weights[i].tensor = variant === "negative" ? tf.tensor1d([-1, 0, 0]) : tf.scalar(2 ** 41);
      await expect(opt.setWeights(weights)).rejects.toMatchObject({ code: "STATE_INCOMPATIBLE" });
      expect(await snapshot(opt, engine)).toEqual(before);
      tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([3]), [w.name]: tf.ones([2]) }));
      expect(await steps(opt)).toEqual({ [v.name]: 4, [w.name]: 4 });
      tf.dispose(weights.map((x) => x.tensor));
      opt.dispose();
      engine.dispose();
      tf.dispose([v, w]);
    }
  });

  it("setWeights checks saved states of variables not met yet as loadState would, at once", async () => {
    const engine = await createEngine();
    const opt = await tfjsOptimizer("adam", { engine });
    const v = variable(3, 3);
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([3]) }));
    const before = await snapshot(opt, engine);
    const weights = [
      { name: "iter", tensor: tf.scalar(5) },
      { name: "notYet/step", tensor: tf.scalar(2, "int32") },
      { name: "notYet/expAvg", tensor: tf.zeros([4]) },
      { name: "notYet/expAvgSq", tensor: tf.tensor1d([0, -2, 0, 0]) },
    ];
    await expect(opt.setWeights(weights)).rejects.toMatchObject({ code: "STATE_INCOMPATIBLE" });
    expect(await snapshot(opt, engine)).toEqual(before);
    expect(opt.iterations).toBe(1);
    tf.dispose(weights.map((x) => x.tensor));
    opt.dispose();
    engine.dispose();
    v.dispose();
  });

  it("OUT_OF_MEMORY while releasing a disposed variable keeps every other variable's state; the step after freeing room continues it", async () => {
    const engine = await createEngine({ initialBytes: 1 << 16, maxBytes: 4 << 16 });
    const opt = await tfjsOptimizer("adam", { lr: 0.1, engine });
    const [a, b, c] = [variable(4000, 4), variable(100, 5), variable(100, 6)];
    const grads = (vs: import("@tensorflow/tfjs").Variable[]) => Object.fromEntries(vs.map((x) => [x.name, tf.onesLike(x)]));
    for (let i = 0; i < 2; i++) tf.tidy(() => opt.applyGradients(grads([a, b, c])));
    const filler = engine.param(20_000); // most of the rest of the heap, as another user's
    c.dispose();
    const before = await snapshot(opt, engine);
    const values = [a.dataSync().slice(), b.dataSync().slice()];
    expectOptimError(() => tf.tidy(() => opt.applyGradients(grads([a, b]))), "OUT_OF_MEMORY");
    expect(await snapshot(opt, engine)).toEqual(before);
    expect([a.dataSync(), b.dataSync()]).toEqual(values);
    expect(opt.iterations).toBe(2);
    filler.dispose();
    tf.tidy(() => opt.applyGradients(grads([a, b])));
    expect(opt.variableNames).toEqual([a.name, b.name]);
    expect(await steps(opt)).toEqual({ [a.name]: 3, [b.name]: 3 });
    opt.dispose();
    engine.dispose();
    tf.dispose([a, b]);
  });

  it("an applyGradients that throws (NON_FINITE) does not track its new variables", async () => {
    const engine = await createEngine();
    const opt = await tfjsOptimizer("adam", { lr: 0.1, engine, nonFinite: "throw" });
    const [a, b] = [variable(2, 7), variable(3, 8)];
    for (const held of [false, true]) {
      // First with nothing held (the optimizer is built by this call), then beside a held variable.
      if (held) tf.tidy(() => opt.applyGradients({ [a.name]: tf.ones([2]) }));
      const newcomer = held ? b : a;
      const before = await snapshot(opt, engine);
      const values = newcomer.dataSync().slice();
      const iterations = opt.iterations;
      expectOptimError(() => tf.tidy(() => opt.applyGradients({ [newcomer.name]: tf.fill(newcomer.shape, NaN) })), "NON_FINITE");
      expect(await snapshot(opt, engine)).toEqual(before);
      expect(newcomer.dataSync()).toEqual(values);
      expect(opt.iterations).toBe(iterations);
    }
    tf.tidy(() => opt.applyGradients({ [a.name]: tf.ones([2]), [b.name]: tf.ones([3]) }));
    expect(await steps(opt)).toEqual({ [a.name]: 2, [b.name]: 1 });
    opt.dispose();
    engine.dispose();
    tf.dispose([a, b]);
  });

  it("setWeights with disposed tensors or a null entry: STATE_INCOMPATIBLE; an engine that is not one: INVALID_ARGUMENT", async () => {
    const engine = await createEngine();
    const opt = await tfjsOptimizer("adam", { lr: 0.1, engine });
    const v = variable(3, 9);
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([3]) }));
    const before = await snapshot(opt, engine);
    const dead = [tf.scalar(1), tf.ones([3])];
    tf.dispose(dead);
    const live = [tf.scalar(1), tf.scalar(1, "int32")];
    const bad = [
      [{ name: "iter", tensor: dead[0] }],
      [{ name: "iter", tensor: live[0] }, { name: `${v.name}/step`, tensor: live[1] }, { name: `${v.name}/expAvg`, tensor: dead[1] }],
      [{ name: "iter", tensor: live[0] }, null],
    ];
    for (const weights of bad) {
      await expect(opt.setWeights(weights as never)).rejects.toMatchObject({ code: "STATE_INCOMPATIBLE" });
      expect(await snapshot(opt, engine)).toEqual(before);
    }
    for (const notEngine of [5, {}, "engine"]) {
      await expect(tfjsOptimizer("adam", { engine: notEngine as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    expect(engine.heap.usedBytes).toBe(before.used);
    tf.dispose(live);
    opt.dispose();
    engine.dispose();
    v.dispose();
  });
});
