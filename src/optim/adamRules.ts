import { bool, num } from "./hyper.js";

/** A decay rate β in [0, 1). */
export const beta = (defaultValue: number) => num(defaultValue, { min: 0, max: 1, maxOpen: true });

/**
 * The rules Adam's relatives (Adamax, NAdam, RAdam) share, with PyTorch's defaults: moment decays,
 * ε, L2 weight decay and maximize. Each family adds its learning rate and its own options.
 */
export const adamFamilyRules = {
  beta1: beta(0.9),
  beta2: beta(0.999),
  eps: num(1e-8, { min: 0, minOpen: true }),
  weightDecay: num(0, { min: 0 }),
  maximize: bool(false),
};
