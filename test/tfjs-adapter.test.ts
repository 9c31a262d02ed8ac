import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW, cosineAnnealingSchedule, createEngine, OptimError, Scheduler } from "../src/index.js";
import { tfjsEngine, tfjsOptimizer, WasmOptimizer } from "../src/tfjs/index.js";
import { expectOptimError } from "./helpers/errors.js";
import { uniform } from "./helpers/random.js";
import { denseModel, fixedBatch, loadTfjsLayers, relativeDifference, type TfUnion } from "./helpers/tfjs-layers.js";

let tf: TfUnion;
let nextName = 0;
beforeAll(async () => {
  tf = await loadTfjsLayers("cpu");
});

/** A fresh, uniquely named variable with seeded values. */
function variable(n: number, seed: number): import("@tensorflow/tfjs").Variable {
  return tf.variable(tf.tensor1d(uniform(n, seed)), true, `v${nextName++}`);
}

const values = (v: import("@tensorflow/tfjs").Tensor) => v.dataSync().slice() as Float32Array;

describe("tfjsOptimizer", () => {
  it("is a TF.js Optimizer that model.compile and model.fit accept, and it trains", async () => {
    const model = denseModel(tf);
    const opt = await tfjsOptimizer("adamw", { lr: 1e-2, maxGradNorm: 1 });
    expect(opt).toBeInstanceOf(tf.Optimizer);
    model.compile({ optimizer: opt, loss: "meanSquaredError" });
    const { x, y } = fixedBatch(tf);
    const history = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss[19]).toBeLessThan(0.5 * loss[0]);
    expect(opt.variableNames).toEqual(model.trainableWeights.map((w) => (w.read() as unknown as { name: string }).name));
    expect(opt.iterations).toBe(80);
    expect(opt.optimizer!.paramGroups).toHaveLength(1); // one batch of newcomers: one group, one kernel call per step
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  });

  it("takes NamedTensorMap and NamedTensor[] and minimize(f), as tf.train.adam does", async () => {
    const [a, b, ta, tb] = [variable(7, 1), variable(3, 2), variable(7, 1), variable(3, 2)];
    const ours = await tfjsOptimizer("adam", { lr: 0.01, eps: 1e-7 });
    const theirs = tf.train.adam(0.01);
    const loss = (p: typeof a, q: typeof b) => () => tf.add(tf.sum(tf.square(p)), tf.sum(tf.mul(q, q).mul(3))) as import("@tensorflow/tfjs").Scalar;
    for (let t = 0; t < 10; t++) {
      if (t % 2 === 0) {
        ours.minimize(loss(a, b));
      } else {
        const { grads } = tf.variableGrads(loss(a, b), [a, b]);
        ours.applyGradients([{ name: a.name, tensor: grads[a.name] }, { name: b.name, tensor: grads[b.name] }]);
        tf.dispose(grads);
      }
      theirs.minimize(loss(ta, tb));
    }
    expect(relativeDifference([values(a), values(b)], [values(ta), values(tb)])).toBeLessThan(1e-5);
    ours.dispose();
    theirs.dispose();
    tf.dispose([a, b, ta, tb]);
  });

  it("skips a variable whose gradient is null or missing, as TF.js does: no move, no state change", async () => {
    const [a, b, ta, tb] = [variable(5, 3), variable(4, 4), variable(5, 3), variable(4, 4)];
    const ours = await tfjsOptimizer("adam", { lr: 0.05, eps: 1e-7 });
    const theirs = tf.train.adam(0.05);
    for (let t = 0; t < 12; t++) {
      const ga = uniform(5, 100 + t), gb = uniform(4, 200 + t);
      const skipB = t % 3 === 2;
      const bBefore = values(b);
      tf.tidy(() => {
        const bGrad = skipB ? null : tf.tensor1d(gb);
        ours.applyGradients(t % 2 === 0 ? { [a.name]: tf.tensor1d(ga), [b.name]: bGrad as never } : [{ name: a.name, tensor: tf.tensor1d(ga) }, ...(skipB ? [] : [{ name: b.name, tensor: bGrad! }])]);
        theirs.applyGradients({ [ta.name]: tf.tensor1d(ga), [tb.name]: skipB ? null : tf.tensor1d(gb) } as never);
      });
      // Skipped, b does not move; its moments are put back too, which the later steps' parity shows.
      if (skipB) expect(values(b)).toEqual(bBefore);
    }
    expect(relativeDifference([values(a), values(b)], [values(ta), values(tb)])).toBeLessThan(1e-5);
    ours.dispose();
    theirs.dispose();
    tf.dispose([a, b, ta, tb]);
  });

  it("a zero gradient is not a skip (it decays Adam's moments): the skip test can tell", async () => {
    const [b, tb] = [variable(4, 4), variable(4, 4)];
    const ours = await tfjsOptimizer("adam", { lr: 0.05, eps: 1e-7 });
    const theirs = tf.train.adam(0.05);
    for (let t = 0; t < 6; t++) {
      const skip = t % 3 === 2;
      tf.tidy(() => {
        ours.applyGradients({ [b.name]: skip ? tf.zeros([4]) : tf.tensor1d(uniform(4, 200 + t)) });
        theirs.applyGradients({ [tb.name]: (skip ? null : tf.tensor1d(uniform(4, 200 + t))) as never });
      });
    }
    expect(relativeDifference([values(b)], [values(tb)])).toBeGreaterThan(1e-4);
    ours.dispose();
    theirs.dispose();
    tf.dispose([b, tb]);
  });

  it("adds variables met later as one new group that starts its own step count", async () => {
    const [a, c, cAlone] = [variable(6, 5), variable(3, 6), variable(3, 6)];
    const ours = await tfjsOptimizer("adam", { lr: 0.05 });
    const alone = await tfjsOptimizer("adam", { lr: 0.05 });
    for (let t = 0; t < 8; t++) {
      tf.tidy(() => {
        const grads: Record<string, import("@tensorflow/tfjs").Tensor> = { [a.name]: tf.tensor1d(uniform(6, 300 + t)) };
        if (t >= 3) {
          grads[c.name] = tf.tensor1d(uniform(3, 400 + t));
          alone.applyGradients({ [cAlone.name]: tf.tensor1d(uniform(3, 400 + t)) });
        }
        ours.applyGradients(grads);
      });
    }
    expect(ours.optimizer!.paramGroups).toHaveLength(2);
    expect(ours.optimizer!.getState(ours.optimizer!.paramGroups[1].params[0]).step).toBe(5);
    expect(values(c)).toEqual(values(cAlone));
    ours.dispose();
    alone.dispose();
    tf.dispose([a, c, cAlone]);
  });

  it("releases a variable disposed in TF.js: its heap storage is freed and the others keep their state", async () => {
    const engine = await createEngine();
    const [a, big, aAlone] = [variable(6, 7), variable(50_000, 8), variable(6, 7)];
    const ours = await tfjsOptimizer("adam", { lr: 0.05, engine });
    const alone = await tfjsOptimizer("adam", { lr: 0.05, engine });
    const step = (t: number) =>
      tf.tidy(() => {
        const grads: Record<string, import("@tensorflow/tfjs").Tensor> = { [a.name]: tf.tensor1d(uniform(6, 500 + t)) };
        if (!big.isDisposed) grads[big.name] = tf.tensor1d(uniform(50_000, 600 + t));
        ours.applyGradients(grads);
        alone.applyGradients({ [aAlone.name]: tf.tensor1d(uniform(6, 500 + t)) });
      });
    for (let t = 0; t < 4; t++) step(t);
    const usedWithBig = engine.heap.usedBytes;
    big.dispose();
    for (let t = 4; t < 8; t++) step(t);
    expect(ours.variableNames).toEqual([a.name]);
    // big had 50,000 floats of values, gradient, expAvg and expAvgSq: at least 800 kB.
    expect(usedWithBig - engine.heap.usedBytes).toBeGreaterThanOrEqual(4 * 4 * 50_000);
    expect(values(a)).toEqual(values(aAlone));
    ours.dispose();
    alone.dispose();
    engine.dispose();
    tf.dispose([a, aAlone]);
  });

  it("leaks nothing: 1,000 steps leave tf.memory().numTensors and the heap's used bytes as they were", async () => {
    const engine = await createEngine();
    const vars = [variable(300, 9), variable(20, 10), variable(1, 11)];
    const grads = vars.map((v, i) => tf.tensor1d(uniform(v.size, 700 + i)));
    const opt = await tfjsOptimizer("adamw", { engine, maxGradNorm: 1, schedule: cosineAnnealingSchedule({ init: 1e-3, steps: 1000 }) });
    const named = vars.map((v, i) => ({ name: v.name, tensor: grads[i] }));
    opt.applyGradients(named); // the first step creates the params and the state
    const tensors = tf.memory().numTensors;
    const used = engine.heap.usedBytes;
    for (let t = 0; t < 1000; t++) opt.applyGradients(t % 10 === 0 ? named.slice(1) : named);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(engine.heap.usedBytes).toBe(used);
    opt.dispose();
    engine.dispose();
    tf.dispose([...vars, ...grads]);
  });

  it("runs AdamW with clipping and a schedule exactly as wasm-optim does on the same gradients", async () => {
    const engine = await createEngine();
    const v = variable(40, 12);
    const opt = await tfjsOptimizer("adamw", { engine, lr: 1e-2, maxGradNorm: 0.5, schedule: cosineAnnealingSchedule({ init: 1e-2, steps: 20 }) });
    const p = engine.param(uniform(40, 12));
    const direct = new AdamW([p], { lr: 1e-2, maxGradNorm: 0.5 });
    const sched = new Scheduler(direct, cosineAnnealingSchedule({ init: 1e-2, steps: 20 }));
    for (let t = 0; t < 20; t++) {
      const g = uniform(40, 800 + t).map((x) => 3 * x);
      tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d(g) }));
      p.setGrad(g);
      direct.step();
      sched.step();
    }
    expect(values(v)).toEqual(p.data);
    opt.dispose();
    direct.dispose();
    engine.dispose();
    v.dispose();
  });

  it("with nonFinite: 'skip', a NaN gradient moves nothing", async () => {
    const v = variable(8, 13);
    const opt = await tfjsOptimizer("adam", { nonFinite: "skip" });
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d(uniform(8, 14)) }));
    const before = values(v);
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d(uniform(8, 15).map((x, i) => (i === 3 ? NaN : x))) }));
    expect(values(v)).toEqual(before);
    expect(opt.optimizer!.skippedSteps).toBe(1);
    opt.dispose();
    v.dispose();
  });

  it("takes values assigned to a variable outside it (model.setWeights, user code) before the next step", async () => {
    const v = variable(4, 16);
    const opt = await tfjsOptimizer("sgd", { lr: 0.5 });
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([4]) }));
    v.assign(tf.tensor1d([10, 20, 30, 40]));
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([4]) }));
    expect(Array.from(values(v))).toEqual([9.5, 19.5, 29.5, 39.5]);
    opt.dispose();
    v.dispose();
  });
});

describe("saving and loading", () => {
  it("model.save(…, { includeOptimizer: true }) and loading continue training exactly", async () => {
    await tfjsEngine();
    const { x, y } = fixedBatch(tf);
    const model = denseModel(tf);
    model.compile({ optimizer: await tfjsOptimizer("adam", { lr: 1e-2, maxGradNorm: 2, gradNormType: Infinity }), loss: "meanSquaredError" });
    for (let i = 0; i < 5; i++) await model.trainOnBatch(x, y);
    let saved: import("@tensorflow/tfjs").io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }), { includeOptimizer: true });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.optimizer).toBeInstanceOf(WasmOptimizer);
    expect((loaded.optimizer as WasmOptimizer).getConfig()).toEqual({ family: "adam", lr: 1e-2, maxGradNorm: 2, gradNormType: "inf" });
    expect(loaded.optimizer.iterations).toBe(5);
    for (let i = 0; i < 5; i++) {
      await model.trainOnBatch(x, y);
      await loaded.trainOnBatch(x, y);
    }
    const original = model.getWeights().map(values);
    expect(loaded.getWeights().map(values)).toEqual(original);
    // Without the optimizer's state the continuation differs: the check above can fail.
    const fresh = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, weightSpecs: saved!.weightSpecs!.slice(0, 4) }));
    fresh.compile({ optimizer: await tfjsOptimizer("adam", { lr: 1e-2, maxGradNorm: 2, gradNormType: Infinity }), loss: "meanSquaredError" });
    for (let i = 0; i < 5; i++) await fresh.trainOnBatch(x, y);
    expect(relativeDifference(fresh.getWeights().map(values), original)).toBeGreaterThan(1e-4);
    tf.dispose([x, y]);
    for (const m of [model, loaded, fresh]) {
      (m.optimizer as WasmOptimizer).dispose();
      m.dispose();
    }
  });

  it("setWeights restores state into variables held now, and by name into variables met later", async () => {
    const [a, b] = [variable(5, 20), variable(3, 21)];
    const names = [a.name, b.name];
    const grads = (t: number) => ({ [names[0]]: tf.tensor1d(uniform(5, 900 + t)), [names[1]]: tf.tensor1d(uniform(3, 950 + t)) });
    const source = await tfjsOptimizer("adam", { lr: 0.05 });
    for (let t = 0; t < 4; t++) tf.tidy(() => source.applyGradients(grads(t)));
    const saved = (await source.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    const at4 = [values(a), values(b)];
    for (let t = 4; t < 8; t++) tf.tidy(() => source.applyGradients(grads(t)));
    const expected = [values(a), values(b)];
    // Held now: an optimizer that already stepped these variables with other gradients takes the saved state.
    const held = await tfjsOptimizer("adam", { lr: 0.05 });
    tf.tidy(() => held.applyGradients(grads(99)));
    a.assign(tf.tensor1d(at4[0]));
    b.assign(tf.tensor1d(at4[1]));
    await held.setWeights(saved);
    expect(held.iterations).toBe(4);
    for (let t = 4; t < 8; t++) tf.tidy(() => held.applyGradients(grads(t)));
    expect([values(a), values(b)]).toEqual(expected);
    // Met later, by name (given in the other order, so position would pair them wrongly).
    for (const o of [source, held]) o.dispose();
    tf.dispose([a, b]);
    const later = await tfjsOptimizer("adam", { lr: 0.05 });
    await later.setWeights(saved);
    const [a2, b2] = [tf.variable(tf.tensor1d(at4[0]), true, names[0]), tf.variable(tf.tensor1d(at4[1]), true, names[1])];
    for (let t = 4; t < 8; t++) {
      tf.tidy(() => {
        const g = grads(t);
        later.applyGradients([{ name: names[1], tensor: g[names[1]] }, { name: names[0], tensor: g[names[0]] }]);
      });
    }
    expect([values(a2), values(b2)]).toEqual(expected);
    later.dispose();
    tf.dispose([a2, b2, ...saved.map((w) => w.tensor)]);
  });

  it("getWeights lists the iteration count, then each variable's step and state", async () => {
    const v = variable(3, 17);
    const opt = await tfjsOptimizer("rmsprop", { momentum: 0.9 });
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([3]) }));
    const weights = await opt.getWeights();
    expect(weights.map((w) => w.name)).toEqual(["iter", `${v.name}/step`, `${v.name}/squareAvg`, `${v.name}/momentumBuffer`]);
    expect(Array.from(weights[2].tensor.dataSync())).toEqual(Array.from(opt.optimizer!.getState(opt.optimizer!.paramGroups[0].params[0]).squareAvg as Float32Array));
    opt.dispose();
    v.dispose();
  });

  it("getConfig and fromConfig round-trip through JSON, and the class is registered by name", async () => {
    const opt = await tfjsOptimizer("sgd", { lr: 0.1, momentum: 0.9, nesterov: true, nonFinite: "throw" });
    const config = JSON.parse(JSON.stringify(opt.getConfig()));
    const copy = WasmOptimizer.fromConfig(WasmOptimizer, config) as WasmOptimizer;
    expect(copy.getConfig()).toEqual(opt.getConfig());
    expect(copy.getClassName()).toBe("WasmOptim");
    expect(tf.serialization.SerializationMap.getMap().classNameMap.WasmOptim?.[0]).toBe(WasmOptimizer);
    opt.dispose();
    copy.dispose();
  });
});

describe("bad input: a coded OptimError, and nothing changed", () => {
  it("refuses lbfgs, unknown families and invalid options", async () => {
    await expect(tfjsOptimizer("lbfgs" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(tfjsOptimizer("adamm" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(tfjsOptimizer("adam", { beta1: 1.5 })).rejects.toMatchObject({ code: "INVALID_HYPERPARAMETER" });
    await expect(tfjsOptimizer("adam", { momentum: 0.9 } as never)).rejects.toMatchObject({ code: "INVALID_HYPERPARAMETER" });
    await expect(tfjsOptimizer("adam", { schedule: 3 } as never)).rejects.toBeInstanceOf(OptimError);
  });

  it("refuses unknown variables, wrong shapes, duplicates and a bad scheduled lr, changing nothing", async () => {
    const v = variable(4, 18);
    let lrAt = (t: number) => 0.1 + t;
    const opt = await tfjsOptimizer("adam", { schedule: (t) => lrAt(t) });
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([4]) }));
    const before = values(v);
    const state = opt.optimizer!.saveState();
    tf.tidy(() => {
      expectOptimError(() => opt.applyGradients({ [v.name]: tf.ones([4]), nope: tf.ones([4]) }), "INVALID_ARGUMENT");
      expectOptimError(() => opt.applyGradients({ [v.name]: tf.ones([5]) }), "SHAPE_MISMATCH");
      expectOptimError(() => opt.applyGradients({ [v.name]: tf.ones([4], "int32") }), "INVALID_ARGUMENT");
      expectOptimError(() => opt.applyGradients([{ name: v.name, tensor: tf.ones([4]) }, { name: v.name, tensor: tf.ones([4]) }]), "DUPLICATE_PARAM");
      lrAt = () => NaN;
      expectOptimError(() => opt.applyGradients({ [v.name]: tf.ones([4]) }), "INVALID_HYPERPARAMETER");
      expectOptimError(() => (opt.learningRate = -1), "INVALID_HYPERPARAMETER");
    });
    expect(values(v)).toEqual(before);
    expect(opt.iterations).toBe(1);
    expect(opt.optimizer!.saveState()).toEqual(state);
    opt.dispose();
    expectOptimError(() => tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([4]) })), "DISPOSED");
    v.dispose();
  });

  it("a heap too small for a new variable gives OUT_OF_MEMORY, moves nothing, and the adapter stays usable", async () => {
    const engine = await createEngine({ initialBytes: 1 << 20, maxBytes: 2 << 20 });
    const [small, big] = [variable(10, 22), variable(400_000, 23)];
    const opt = await tfjsOptimizer("adam", { engine });
    tf.tidy(() => opt.applyGradients({ [small.name]: tf.ones([10]) }));
    const before = [values(small), values(big)];
    const used = engine.heap.usedBytes;
    expectOptimError(() => tf.tidy(() => opt.applyGradients({ [small.name]: tf.ones([10]), [big.name]: tf.ones([400_000]) })), "OUT_OF_MEMORY");
    expect([values(small), values(big)]).toEqual(before);
    expect(engine.heap.usedBytes).toBe(used);
    expect(opt.variableNames).toEqual([small.name]);
    tf.tidy(() => opt.applyGradients({ [small.name]: tf.ones([10]) }));
    expect(values(small)).not.toEqual(before[0]);
    opt.dispose();
    engine.dispose();
    tf.dispose([small, big]);
  });

  it("setWeights refuses state that does not fit, changing nothing", async () => {
    const v = variable(4, 19);
    const opt = await tfjsOptimizer("adam");
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.ones([4]) }));
    const state = opt.optimizer!.saveState();
    const good = await opt.getWeights();
    const bad = [
      [good[0], { name: `${v.name}/momentumBuffer`, tensor: tf.ones([4]) }],
      [good[0], good[1], { name: `${v.name}/expAvg`, tensor: tf.ones([5]) }, good[3]],
      [good[0], { name: `${v.name}/expAvg`, tensor: tf.ones([4]) }],
    ];
    for (const weights of bad) await expect(opt.setWeights(weights)).rejects.toMatchObject({ code: "STATE_INCOMPATIBLE" });
    expect(opt.optimizer!.saveState()).toEqual(state);
    expect(opt.iterations).toBe(1);
    opt.dispose();
    v.dispose();
  });
});

it("the main entry never loads TF.js: no file outside src/tfjs names it or imports src/tfjs", () => {
  const files = readdirSync("src", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.startsWith("tfjs"));
  expect(files).toContain("index.ts");
  for (const file of files) expect(readFileSync(`src/${file}`, "utf8"), file).not.toMatch(/@tensorflow|\/tfjs\//);
});
