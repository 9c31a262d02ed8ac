import { beta, bool, num } from "../validation.js";

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
