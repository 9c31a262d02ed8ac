// How each optimizer option is controlled on the page, by option name. A new optimizer whose
// options are listed here gets proper sliders; any other option still gets a generic control.

export type Knob =
  | { kind: "range"; min: number; max: number; log: boolean; integer?: boolean }
  | { kind: "toggle" }
  | { kind: "choice"; choices: readonly string[] };

const linear = (min: number, max: number): Knob => ({ kind: "range", min, max, log: false });
const log = (min: number, max: number): Knob => ({ kind: "range", min, max, log: true });
const integer = (min: number, max: number): Knob => ({ kind: "range", min, max, log: false, integer: true });

const KNOBS: Record<string, Knob> = {
  lr: log(1e-5, 1),
  momentum: linear(0, 0.99),
  dampening: linear(0, 1),
  beta1: linear(0, 0.99),
  beta2: linear(0.9, 0.9999),
  eps: log(1e-10, 1),
  weightDecay: linear(0, 0.5),
  alpha: linear(0.5, 0.999),
  rho: linear(0.5, 0.999),
  lrDecay: linear(0, 0.1),
  initialAccumulatorValue: linear(0, 1),
  etaMinus: linear(0.05, 0.95),
  etaPlus: linear(1.01, 2),
  momentumForm: { kind: "choice", choices: ["accumulate", "ema"] },
  maxIter: integer(1, 20),
  historySize: integer(1, 100),
  lineSearch: { kind: "choice", choices: ["none", "strongWolfe", "backtracking"] },
};

/** The page-wide "clip gradient norm" slider; its top position turns clipping off. */
export const CLIP_KNOB = { kind: "range", min: 0.1, max: 1000, log: true } as const;

/** The control for `key`, falling back on the type of its starting value. */
export function knobFor(key: string, value: number | boolean | string): Knob {
  const known = KNOBS[key];
  if (known) return known;
  if (typeof value === "boolean") return { kind: "toggle" };
  if (typeof value === "string") return { kind: "choice", choices: [value] };
  return value > 0 ? log(value / 100, value * 100) : linear(-1, 1);
}

/** Slider positions run 0..SLIDER_STEPS; values map onto them linearly or logarithmically. */
export const SLIDER_STEPS = 1000;

/**
 * The value at a slider position, rounded to what the slider can resolve: 3 significant digits on
 * a log scale, the decimals of one position's width on a linear one (so 0.9999 stays below 1).
 */
export function fromSlider(knob: Extract<Knob, { kind: "range" }>, position: number): number {
  const f = position / SLIDER_STEPS;
  if (knob.integer) return Math.round(knob.min + f * (knob.max - knob.min));
  if (knob.log) return Number((knob.min * (knob.max / knob.min) ** f).toPrecision(3));
  const width = (knob.max - knob.min) / SLIDER_STEPS;
  const decimals = Math.max(0, Math.ceil(-Math.log10(width)));
  return Number((knob.min + f * (knob.max - knob.min)).toFixed(decimals));
}

export function toSlider(knob: Extract<Knob, { kind: "range" }>, value: number): number {
  const f = knob.log ? Math.log(value / knob.min) / Math.log(knob.max / knob.min) : (value - knob.min) / (knob.max - knob.min);
  return Math.round(Math.min(1, Math.max(0, f)) * SLIDER_STEPS);
}

/** Short, readable numbers: 0.001 → "1e-3", 0.9 → "0.9". */
export function formatValue(value: number): string {
  if (value !== 0 && Math.abs(value) < 1e-2) {
    const [mantissa, exponent] = value.toExponential(2).split("e");
    return `${Number(mantissa)}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(4)));
}
