// The wasm-optim families the TF.js adapter can drive, by name. Only the public classes are used.
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, NAdam, OptimError, RAdam, RMSprop, Rprop, SGD,
  type AdadeltaOptions, type GroupInput, type AdagradOptions, type AdamaxOptions, type AdamOptions, type LionOptions,
  type NAdamOptions, type Optimizer, type OptimizerOptions, type Param, type RAdamOptions,
  type RMSpropOptions, type RpropOptions, type SGDOptions,
} from "../index.js";

/** Each family's hyperparameters, by the name `tfjsOptimizer` takes. */
export interface FamilyHyperparameters {
  sgd: SGDOptions;
  adam: AdamOptions;
  adamw: AdamOptions;
  adagrad: AdagradOptions;
  rmsprop: RMSpropOptions;
  adadelta: AdadeltaOptions;
  rprop: RpropOptions;
  adamax: AdamaxOptions;
  nadam: NAdamOptions;
  radam: RAdamOptions;
  lion: LionOptions;
}

export type FamilyName = keyof FamilyHyperparameters;

/** A family's constructor options (its hyperparameters and maxGradNorm, gradNormType, nonFinite). */
export type FamilyOptions<F extends FamilyName> = OptimizerOptions<FamilyHyperparameters[F]>;

type Make = (params: readonly Param[] | readonly GroupInput<any>[], options: object) => Optimizer<any>;

const FAMILIES: Readonly<Record<FamilyName, Make>> = {
  sgd: (p, o) => new SGD(p, o),
  adam: (p, o) => new Adam(p, o),
  adamw: (p, o) => new AdamW(p, o),
  adagrad: (p, o) => new Adagrad(p, o),
  rmsprop: (p, o) => new RMSprop(p, o),
  adadelta: (p, o) => new Adadelta(p, o),
  rprop: (p, o) => new Rprop(p, o),
  adamax: (p, o) => new Adamax(p, o),
  nadam: (p, o) => new NAdam(p, o),
  radam: (p, o) => new RAdam(p, o),
  lion: (p, o) => new Lion(p, o),
};

export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

/** The constructor of a family, or INVALID_ARGUMENT naming the families there are. */
export function familyMaker(name: unknown): Make {
  if (typeof name === "string" && name.toLowerCase() === "lbfgs") {
    // TF.js hands an optimizer gradients, never a closure to re-evaluate the loss, which L-BFGS's line search needs.
    throw new OptimError("INVALID_ARGUMENT", "tfjsOptimizer: lbfgs needs a closure that recomputes the loss, which TF.js's applyGradients cannot give; use LBFGS directly");
  }
  if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(FAMILIES, name)) {
    throw new OptimError("INVALID_ARGUMENT", `tfjsOptimizer: unknown optimizer ${JSON.stringify(name)}; expected one of ${FAMILY_NAMES.join(", ")}`);
  }
  return FAMILIES[name as FamilyName];
}
