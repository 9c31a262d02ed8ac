// Learning-rate schedules for the page: the lr of step t (0-based) is the optimizer's lr control
// times factor(t, horizon), where the horizon is the "stop at" step. Named after the
// torch.optim.lr_scheduler they mimic; the constants are chosen to look clear on a few hundred steps.

export interface Schedule {
  readonly id: string;
  readonly label: string;
  factor(t: number, horizon: number): number;
}

export const SCHEDULES: readonly Schedule[] = [
  { id: "constant", label: "constant", factor: () => 1 },
  {
    id: "step",
    label: "step decay (×½ every quarter)",
    factor: (t, horizon) => 0.5 ** Math.floor(t / Math.max(1, Math.floor(horizon / 4))),
  },
  { id: "exponential", label: "exponential (to 1% at the end)", factor: (t, horizon) => 0.01 ** (t / horizon) },
  {
    id: "cosine",
    label: "cosine annealing",
    factor: (t, horizon) => 0.5 * (1 + Math.cos((Math.PI * Math.min(t, horizon)) / horizon)),
  },
  {
    id: "warmup",
    label: "linear warm-up (first 10%)",
    factor: (t, horizon) => Math.min(1, (t + 1) / Math.max(1, 0.1 * horizon)),
  },
];
