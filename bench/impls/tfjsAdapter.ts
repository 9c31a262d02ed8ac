// wasm-optim/tfjs, the TF.js adapter, timed as TF.js users call it: applyGradients on TF.js
// variables, so each step includes the copies (gradients into the heap, new values out into fresh
// tensors that the variables are assigned). Same variables, gradients and hyperparameters as the
// tf.train peer in tfjs.ts.
import { tfjsOptimizer, type FamilyName, type TfjsOptimizerOptions } from "../../src/tfjs/index.js";
import { benchVariables, useTfjsBackend } from "./tfjs.js";
import type { Impl, Running, Workload } from "./types.js";

/** The family and options equal to each bench optimizer that has a tf.train peer (see optimizers.ts). */
const FAMILIES: Readonly<Record<string, [FamilyName, TfjsOptimizerOptions]>> = {
  sgd: ["sgd", { lr: 1e-3 }],
  momentum: ["sgd", { lr: 1e-3, momentum: 0.9 }],
  nesterov: ["sgd", { lr: 1e-3, momentum: 0.9, nesterov: true }],
  adagrad: ["adagrad", { lr: 1e-2 }],
  rmsprop: ["rmsprop", { lr: 1e-2 }],
  adadelta: ["adadelta", {}],
  adam: ["adam", { lr: 1e-3 }],
  adamax: ["adamax", { lr: 2e-3 }],
};

export function tfjsAdapter(backend: "cpu" | "wasm"): Impl {
  return {
    id: `adapter-${backend}`,
    label: `wasm-optim/tfjs on ${backend}`,
    describe: () => `tfjsOptimizer(…).applyGradients on TF.js's ${backend} backend, copies in and out included`,
    supports: (optimizer) => optimizer.id in FAMILIES,
    async start({ optimizer, lengths }: Workload): Promise<Running> {
      await useTfjsBackend(backend);
      const [family, options] = FAMILIES[optimizer.id];
      const opt = await tfjsOptimizer(family, options);
      const { grads, dispose } = benchVariables(lengths);
      return {
        step: () => opt.applyGradients(grads),
        dispose() {
          opt.dispose();
          dispose();
        },
      };
    },
  };
}
