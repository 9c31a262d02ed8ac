// jax-js peer: an optax-style Adam update written with jax-js arrays and compiled by `jit`
// (one fused kernel set for the whole parameter list), on its wasm device. jax-js dispatches
// asynchronously, so each timed batch ends with blockUntilReady().
import { blockUntilReady, defaultDevice, init, jit, numpy as np } from "@jax-js/jax";
import { fillValues, type Impl, type Running, type Workload } from "./types.js";

const BETA1 = 0.9, BETA2 = 0.999, LR = 1e-3, EPS = 1e-8;
// jit over a list of arrays traces every array into one program; its memory grows faster than
// the list (measured here: 38 MiB of JS heap for 20 arrays, 1.7 GiB for 300), and 1,000 arrays
// exhaust Node's default 4 GiB heap, which kills the whole run. Larger lists are declined.
const MAX_TENSORS = 100;

type AdamState = { p: np.Array[]; m: np.Array[]; v: np.Array[]; t: np.Array };

// jax-js arrays are reference counted: every use but the last takes `.ref`.
const adamStep = jit(function adamStep(s: AdamState, grads: np.Array[]): AdamState {
  const t = s.t.add(1);
  const bc1 = np.power(BETA1, t.ref).mul(-1).add(1);
  const bc2 = np.power(BETA2, t.ref).mul(-1).add(1);
  const p: np.Array[] = [], m: np.Array[] = [], v: np.Array[] = [];
  grads.forEach((g, k) => {
    const mk = s.m[k].mul(BETA1).add(g.ref.mul(1 - BETA1));
    const vk = s.v[k].mul(BETA2).add(g.ref.mul(g).mul(1 - BETA2));
    const update = mk.ref.div(bc1.ref).mul(LR).div(np.sqrt(vk.ref.div(bc2.ref)).add(EPS));
    p.push(s.p[k].sub(update));
    m.push(mk);
    v.push(vk);
  });
  bc1.dispose();
  bc2.dispose();
  return { p, m, v, t };
});

let started: Promise<unknown> | undefined;

export const jaxJs: Impl = {
  id: "jax-wasm",
  label: "jax-js wasm (jit)",
  describe: () => "@jax-js/jax, wasm device, Adam update under jit",
  supports: (optimizer) => optimizer.jax === true,
  async start({ lengths }: Workload): Promise<Running> {
    if (lengths.length > MAX_TENSORS) {
      throw new Error(`not run: jit over ${lengths.length} arrays exhausts the JS heap (limit here ${MAX_TENSORS})`);
    }
    // A bare init() probes WebGPU, which fails on Node 20.
    started ??= init("wasm", "cpu").then(() => defaultDevice("wasm"));
    await started;
    const fromValues = (length: number, seed: number) => {
      const values = new Float32Array(length);
      fillValues(values, seed);
      return np.array(values);
    };
    let state: AdamState = {
      p: lengths.map((length, k) => fromValues(length, 2 * k + 1)),
      m: lengths.map((length) => np.zeros([length])),
      v: lengths.map((length) => np.zeros([length])),
      t: np.array(0),
    };
    const grads = lengths.map((length, k) => fromValues(length, 2 * k + 2));
    return {
      step() {
        state = adamStep(state, grads.map((g) => g.ref));
      },
      async settle() {
        await blockUntilReady(state); // does not consume references
      },
      dispose() {
        for (const array of [...state.p, ...state.m, ...state.v, state.t, ...grads]) array.dispose();
      },
    };
  },
};
