import { describe, expect, it } from "vitest";
import { createEngine, Muon, OptimError, type Engine, type MuonOptions, type Param } from "../src/index.js";
import { BACKENDS, engineFor } from "./helpers/backends.js";
import { expectBitEqual, expectClose } from "./helpers/close.js";
import { rng, uniform } from "./helpers/random.js";
import { muonReference } from "./reference/muon.js";

/** Square, wide and tall, a single row and column, and a SIMD tail in every orientation. */
const SHAPES: readonly [number, number][] = [[1, 1], [3, 5], [5, 3], [17, 4], [4, 17], [64, 33], [33, 64], [1, 9], [9, 1], [8, 8]];

const CASES: readonly Partial<MuonOptions>[] = [
  { lr: 0.05 },
  { lr: 0.05, nesterov: false },
  { lr: 0.05, momentum: 0 },
  { lr: 0.05, momentum: 0.5, weightDecay: 0.5 },
  { lr: 0.05, weightDecay: 0 },
  { lr: 0.05, adjustLrFn: "match_rms_adamw" },
  { lr: 0.05, nsSteps: 0 },
  { lr: 0.05, nsSteps: 1 },
  { lr: 0.05, nsSteps: 8 },
  // The cubic Newton–Schulz iteration (1.5, −0.5, 0): converges to the polar factor.
  { lr: 0.05, nsA: 1.5, nsB: -0.5, nsC: 0 },
  // eps above the norm: the clamp divides by eps instead.
  { lr: 0.05, eps: 50 },
];

const STEPS = 4;

interface Run {
  params: Param[];
  optimizer: Muon;
  engine: Engine;
}

/** Two params (packed into one group, so the second starts mid-block) of the given shapes, `STEPS` steps. */
async function run(backend: (typeof BACKENDS)[number], shapes: readonly [number, number][], options: Partial<MuonOptions> & { maxGradNorm?: number }): Promise<Run> {
  const engine = await engineFor(backend);
  const params = shapes.map(([r, c], k) => engine.param(uniform(r * c, 11 + k + r * 7 + c), { shape: [r, c] }));
  const optimizer = new Muon(params, options);
  for (let t = 1; t <= STEPS; t++) {
    params.forEach((p, k) => p.setGrad(uniform(p.length, 100 * t + k, -1, 1)));
    optimizer.step();
  }
  return { params, optimizer, engine };
}

/** The float64 reference over the same params and gradients, clipping included. */
function expected(shapes: readonly [number, number][], options: Partial<MuonOptions> & { maxGradNorm?: number }) {
  const refs = shapes.map(([r, c]) => muonReference(r, c, options));
  const ps = shapes.map(([r, c], k) => Float64Array.from(uniform(r * c, 11 + k + r * 7 + c)));
  for (let t = 1; t <= STEPS; t++) {
    const gs = shapes.map(([r, c], k) => Float64Array.from(uniform(r * c, 100 * t + k, -1, 1)));
    const norm = Math.sqrt(gs.reduce((sum, g) => g.reduce((s, x) => s + x * x, sum), 0));
    // torch's clip_grad_norm_: coefficient min(1, max / (norm + 1e-6)).
    const coef = options.maxGradNorm === undefined ? 1 : Math.min(1, options.maxGradNorm / (norm + 1e-6));
    refs.forEach((ref, k) => ref.step(ps[k], gs[k], coef));
  }
  return { ps, bufs: refs.map((r) => r.state.momentumBuffer) };
}

describe("Muon matches its float64 reference (torch.optim.Muon's algorithm), the same bits on every backend", () => {
  for (const options of CASES) {
    it.each(SHAPES)(`${JSON.stringify(options)} %i×%i, beside a 6×2`, async (r, c) => {
      const shapes: [number, number][] = [[r, c], [6, 2]];
      const want = expected(shapes, options);
      const runs: Run[] = [];
      for (const backend of BACKENDS) runs.push(await run(backend, shapes, options));
      for (const [b, { params, optimizer }] of runs.entries()) {
        params.forEach((p, k) => {
          // An update moves each weight by about lr·ratio/√min(r, c): an error in the order of the
          // products or in a transpose is of that size, far above float32 rounding.
          expectClose(p.data, want.ps[k], 2e-5, 2e-6, `${BACKENDS[b]} params[${k}]`);
          expectClose(optimizer.getState(p).momentumBuffer, want.bufs[k], 2e-5, 2e-6, `${BACKENDS[b]} momentumBuffer[${k}]`);
          expect(optimizer.getState(p).step).toBe(STEPS);
        });
      }
      for (const { params, optimizer } of runs.slice(1)) {
        params.forEach((p, k) => {
          expectBitEqual(p.data, runs[0].params[k].data, `params[${k}]`);
          expectBitEqual(optimizer.getState(p).momentumBuffer, runs[0].optimizer.getState(runs[0].params[k]).momentumBuffer, `momentumBuffer[${k}]`);
        });
      }
      for (const { engine } of runs) engine.dispose();
    });
  }

  it.each(BACKENDS)("clips the gradient inside the step (maxGradNorm) as clip_grad_norm_ before torch's step (%s)", async (backend) => {
    const shapes: [number, number][] = [[5, 3], [4, 17]];
    const options = { lr: 0.05, maxGradNorm: 0.5 };
    const want = expected(shapes, options);
    const { params, optimizer, engine } = await run(backend, shapes, options);
    params.forEach((p, k) => {
      expectClose(p.data, want.ps[k], 2e-5, 2e-6, `params[${k}]`);
      expectClose(optimizer.getState(p).momentumBuffer, want.bufs[k], 2e-5, 1e-7, `momentumBuffer[${k}]`);
    });
    engine.dispose();
  });

  it("orthogonalises: with many cubic iterations the update's singular values are all 1", async () => {
    // momentum 0, no decay: θ moves by −lr·O; OᵀO = I for a 7×3 O (3 singular values of 1).
    const engine = await createEngine();
    const p = engine.param([7, 3]);
    p.setGrad(uniform(21, 5));
    new Muon([p], { lr: 1, momentum: 0, weightDecay: 0, nsA: 1.5, nsB: -0.5, nsC: 0, nsSteps: 40, adjustLrFn: "match_rms_adamw" }).step();
    const ratio = 0.2 * Math.sqrt(7);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 7; k++) dot += (p.data[k * 3 + i] / ratio) * (p.data[k * 3 + j] / ratio);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 4);
      }
    }
    engine.dispose();
  });
});

/** The float32 special values, by bits. */
const SPECIALS = [0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001];

describe("Muon on special values: identical bits on every backend, every stored NaN canonical", () => {
  it.each([[1, 1], [3, 5], [5, 3], [17, 4]] as const)("%i×%i", async (r, c) => {
    const n = r * c;
    const runs: Run[] = [];
    for (const backend of BACKENDS) {
      const engine = await engineFor(backend);
      const params = [engine.param([r, c]), engine.param([2, 3])];
      runs.push({ engine, params, optimizer: new Muon(params, { lr: 0.1 }) });
    }
    const next = rng(r * 31 + c);
    for (let t = 0; t < 3 * SPECIALS.length; t++) {
      // One step in three is ordinary; otherwise a special value lands in the gradient, the param
      // or the momentum buffer at a position that moves with t, amid ordinary values.
      const ordinary = Float32Array.from({ length: 3 * n }, () => next() - 0.5);
      const bits = new Uint32Array(ordinary.buffer);
      if (t % 3 !== 0) bits[(t * 7) % (3 * n)] = SPECIALS[t % SPECIALS.length];
      for (const { params, optimizer } of runs) {
        const p = params[0];
        const views = [p.grad, p.data, optimizer.getState(p).momentumBuffer];
        views.forEach((v, k) => new Uint32Array(v.buffer, v.byteOffset, n).set(bits.subarray(k * n, (k + 1) * n)));
        params[1].setGrad(uniform(6, t));
        optimizer.step();
      }
      for (const { params, optimizer } of runs.slice(1)) {
        params.forEach((p, k) => {
          expectBitEqual(p.data, runs[0].params[k].data, `step ${t}: params[${k}]`);
          expectBitEqual(optimizer.getState(p).momentumBuffer, runs[0].optimizer.getState(runs[0].params[k]).momentumBuffer, `step ${t}: momentumBuffer[${k}]`);
        });
      }
      const { params, optimizer } = runs[0];
      for (const view of [params[0].data, optimizer.getState(params[0]).momentumBuffer]) {
        for (const [i, b] of new Uint32Array(view.slice().buffer).entries()) {
          if (Number.isNaN(view[i])) expect(b, `step ${t}: a NaN at ${i}`).toBe(0xffffffff);
        }
      }
    }
    // The table reached NaN and ±∞ in the parameters, so the rule above was exercised.
    expect(Array.from(runs[0].params[0].data).some(Number.isNaN)).toBe(true);
    for (const { engine } of runs) engine.dispose();
  });
});

describe("Muon's state", () => {
  it.each(BACKENDS)("saveState / loadState resume exactly (%s)", async (backend) => {
    const shapes: [number, number][] = [[5, 3], [4, 17]];
    const { params, optimizer, engine } = await run(backend, shapes, { lr: 0.05 });
    const saved = optimizer.saveState();
    const values = params.map((p) => p.data.slice());
    const grad = (t: number, k: number, p: Param) => uniform(p.length, 900 + 10 * t + k);
    for (let t = 0; t < 2; t++) {
      params.forEach((p, k) => p.setGrad(grad(t, k, p)));
      optimizer.step();
    }
    const fresh = shapes.map(([r, c], k) => engine.param(values[k], { shape: [r, c] }));
    const resumed = new Muon(fresh, { lr: 0.05 });
    resumed.loadState(saved);
    expect(resumed.getState(fresh[1]).step).toBe(STEPS);
    for (let t = 0; t < 2; t++) {
      fresh.forEach((p, k) => p.setGrad(grad(t, k, p)));
      resumed.step();
    }
    fresh.forEach((p, k) => {
      expectBitEqual(p.data, params[k].data, `params[${k}]`);
      expectBitEqual(resumed.getState(p).momentumBuffer, optimizer.getState(params[k]).momentumBuffer, `momentumBuffer[${k}]`);
    });
    engine.dispose();
  });

  it("getState has the momentum buffer (zeros) before the first step", async () => {
    const engine = await createEngine();
    const p = engine.param([3, 4]);
    const state = new Muon([p]).getState(p);
    expect(state.step).toBe(0);
    expect(Array.from(state.momentumBuffer)).toEqual(new Array(12).fill(0));
    engine.dispose();
  });

  it("gives the same bits on 2 threads as on 1 (its element-wise kernels are split, its products are not)", async () => {
    const results: Float32Array[] = [];
    for (const threads of [1, 2]) {
      const engine = await createEngine({ backend: "wasm", threads });
      expect(engine.threads).toBe(threads);
      const p = engine.param(uniform(256 * 130, 3), { shape: [256, 130] });
      const optimizer = new Muon([p], { lr: 0.05, nsSteps: 2 });
      for (let t = 0; t < 2; t++) {
        p.setGrad(uniform(p.length, 40 + t));
        optimizer.step();
      }
      results.push(p.data.slice(), optimizer.getState(p).momentumBuffer.slice());
      engine.dispose();
    }
    expectBitEqual(results[2], results[0], "params");
    expectBitEqual(results[3], results[1], "momentumBuffer");
  });
});

/** Everything observable, to assert that a call that threw changed nothing. */
function observe(engine: Engine, params: readonly Param[]) {
  return { used: engine.heap.usedBytes, params: params.map((p) => ({ data: Array.from(p.data), grad: Array.from(p.grad), owner: p.owner })) };
}

function thrown(call: () => unknown): OptimError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(OptimError);
    return error as OptimError;
  }
  return expect.fail("expected an OptimError");
}

describe("Muon's bad input: a coded error, nothing changed", () => {
  it.each([
    ["a vector", [6]],
    ["a 3-D tensor", [2, 3, 4]],
    ["a scalar shape", []],
  ] as const)("%s is refused, naming the parameter", async (_, shape) => {
    const engine = await createEngine();
    const w = engine.param([3, 2], { name: "fc.w" });
    const bad = engine.param(shape as readonly number[], { name: "fc.b" });
    const before = observe(engine, [w, bad]);
    const error = thrown(() => new Muon([w, bad]));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toMatch(/Muon: parameter "fc\.b" has shape \[.*\]; Muon takes only 2-D parameters/);
    expect(observe(engine, [w, bad])).toEqual(before);
    // In a param group, and through addParamGroup.
    expect(thrown(() => new Muon([{ params: [w] }, { params: [bad] }])).code).toBe("INVALID_ARGUMENT");
    expect(observe(engine, [w, bad])).toEqual(before);
    const optimizer = new Muon([w]);
    const mid = observe(engine, [w, bad]);
    expect(thrown(() => optimizer.addParamGroup({ params: [bad] })).code).toBe("INVALID_ARGUMENT");
    expect(observe(engine, [w, bad])).toEqual(mid);
    expect(optimizer.paramGroups.length).toBe(1);
    engine.dispose();
  });

  it.each([
    ["negative lr", { lr: -1 }, /Muon: invalid lr -1/],
    ["negative momentum", { momentum: -0.1 }, /invalid momentum -0.1/],
    ["negative weightDecay", { weightDecay: -1 }, /invalid weightDecay -1/],
    ["eps 0", { eps: 0 }, /invalid eps 0, expected a finite number in \(0, Infinity\)/],
    ["fractional nsSteps", { nsSteps: 2.5 }, /invalid nsSteps 2.5, expected an integer in \[0, 99\]/],
    ["nsSteps 100 (torch refuses it)", { nsSteps: 100 }, /invalid nsSteps 100/],
    ["NaN coefficient", { nsB: NaN }, /invalid nsB NaN/],
    ["unknown adjustLrFn", { adjustLrFn: "none" }, /invalid adjustLrFn "none", expected one of "original", "match_rms_adamw"/],
    ["nesterov not boolean", { nesterov: 1 }, /invalid nesterov 1, expected true or false/],
    ["maximize (torch's Muon has none)", { maximize: true }, /invalid option "maximize"/],
  ] as const)("%s: INVALID_HYPERPARAMETER in the constructor and, set between steps, in step", async (_, options, message) => {
    const engine = await createEngine();
    const w = engine.param(uniform(6, 1), { shape: [3, 2] });
    w.setGrad(uniform(6, 2));
    const before = observe(engine, [w]);
    const error = thrown(() => new Muon([w], options as Partial<MuonOptions>));
    expect(error.code).toBe("INVALID_HYPERPARAMETER");
    expect(error.message).toMatch(message);
    expect(observe(engine, [w])).toEqual(before);
    if (!("maximize" in options)) {
      const optimizer = new Muon([w]);
      optimizer.step();
      const stepped = { ...observe(engine, [w]), state: Array.from(optimizer.getState(w).momentumBuffer) };
      Object.assign(optimizer.paramGroups[0], options);
      expect(() => optimizer.step()).toThrow(message);
      expect({ ...observe(engine, [w]), state: Array.from(optimizer.getState(w).momentumBuffer) }).toEqual(stepped);
    }
    engine.dispose();
  });

  it("accepts the boundaries torch accepts", async () => {
    const engine = await createEngine();
    const w = engine.param(uniform(6, 1), { shape: [2, 3] });
    w.setGrad(uniform(6, 2));
    for (const options of [{ lr: 0 }, { momentum: 0 }, { momentum: 1.5 }, { weightDecay: 0 }, { nsSteps: 0 }, { nsSteps: 99 }, { eps: 1e-30 }]) {
      const optimizer = new Muon([w], options);
      optimizer.step();
      optimizer.dispose();
    }
    engine.dispose();
  });

  it("runs out of memory (in its scratch, or in the base's blocks after it) with nothing changed and nothing leaked", async () => {
    // Muon over these needs 4·(2·30000 + 2·150²) bytes of scratch, then 3 packed blocks of 240,000 bytes
    // (values, gradients, momentum): the rooms below run out at each of those allocations.
    const outcomes: string[] = [];
    for (const room of [100_000, 500_000, 800_000, 1_100_000, 1_300_000, 3_000_000]) {
      const engine = await createEngine({ maxBytes: 8 << 20 });
      const params = [engine.param(uniform(30000, 1), { shape: [200, 150] }), engine.param(uniform(30000, 2), { shape: [150, 200] })];
      // The heap's end of allocations: where a new block goes.
      const probe = engine.param(4);
      const end = probe.dataOffset + 16;
      probe.dispose();
      // A param takes two blocks (values and gradient).
      const filler = engine.param(Math.floor(((8 << 20) - end - room) / 8) - 8);
      const before = observe(engine, params);
      try {
        new Muon(params).dispose();
        outcomes.push("ok");
      } catch (error) {
        expect((error as OptimError).code).toBe("OUT_OF_MEMORY");
        expect(observe(engine, params)).toEqual(before);
        outcomes.push("out of memory");
      }
      filler.dispose();
      // With the room back, the same construction works: nothing was left owned.
      new Muon(params).step();
      engine.dispose();
    }
    expect(outcomes.slice(0, 4)).toEqual(["out of memory", "out of memory", "out of memory", "out of memory"]);
    expect(outcomes[5]).toBe("ok");
  });

  it("frees its scratch on dispose and grows it for a larger group", async () => {
    const engine = await createEngine();
    const a = engine.param([4, 4]);
    const b = engine.param([40, 30]);
    const used = engine.heap.usedBytes;
    const first = new Muon([a]);
    first.dispose();
    const second = new Muon([a]);
    expect(engine.heap.usedBytes).toBeLessThanOrEqual(used + 2048);
    const small = engine.heap.usedBytes;
    second.addParamGroup({ params: [b] });
    // 2·40·30 + 2·30² floats of scratch (and b's state) now.
    expect(engine.heap.usedBytes - small).toBeGreaterThanOrEqual(4 * (2 * 1200 + 2 * 900));
    b.setGrad(uniform(1200, 3));
    second.step();
    expect(Array.from(b.data).every(Number.isFinite)).toBe(true);
    const grown = engine.heap.usedBytes;
    second.dispose();
    expect(engine.heap.usedBytes).toBeLessThan(grown - 4 * (2 * 1200 + 2 * 900));
    engine.dispose();
  });
});
