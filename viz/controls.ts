// Small DOM builders for the control panel. Every input reports through a callback; none keeps state.
import { formatValue, fromSlider, knobFor, SLIDER_STEPS, toSlider, type Knob } from "./knobs.js";
import type { OptionValue } from "./optimizers.js";
import type { Run } from "./simulation.js";

type Attributes = Record<string, string | number | boolean>;

/** `el("button", { id: "play" }, "Play")`: an element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children);
  return element;
}

export function menu(id: string, label: string, choices: readonly { id: string; label: string }[], value: string, onChange: (id: string) => void): HTMLElement {
  const input = el("select", { id }, ...choices.map((c) => el("option", { value: c.id, selected: c.id === value }, c.label)));
  input.addEventListener("change", () => onChange(input.value));
  return el("label", { class: "row" }, el("span", {}, label), input);
}

/** A slider with its value beside it; `log` spaces the positions by ratio rather than difference. */
export function slider(
  id: string,
  label: string,
  knob: Extract<Knob, { kind: "range" }>,
  value: number,
  onChange: (value: number) => void,
  format: (value: number) => string = formatValue,
): HTMLElement {
  const input = el("input", { id, type: "range", min: 0, max: SLIDER_STEPS, value: toSlider(knob, value) });
  const readout = el("output", {}, format(value));
  input.addEventListener("input", () => {
    const next = fromSlider(knob, Number(input.value));
    readout.textContent = format(next);
    onChange(next);
  });
  return el("label", { class: "row" }, el("span", {}, label), input, readout);
}

/** The control for one optimizer option, chosen by its name (see knobs.ts). */
export function optionControl(id: string, key: string, value: OptionValue, onChange: (value: OptionValue) => void): HTMLElement {
  const knob = knobFor(key, value);
  if (knob.kind === "range") return slider(id, key, knob, value as number, onChange);
  if (knob.kind === "choice") return menu(id, key, knob.choices.map((c) => ({ id: c, label: c })), value as string, onChange);
  const box = el("input", { id, type: "checkbox", checked: value === true });
  box.addEventListener("change", () => onChange(box.checked));
  return el("label", { class: "row" }, el("span", {}, key), box);
}

/** One optimizer: on/off, its colour and name, its options, and why it stopped if it did. */
export function optimizerPanel(index: number, run: Run, onToggle: (on: boolean) => void, onOption: (key: string, value: OptionValue) => void): HTMLElement {
  const toggle = el("input", { id: `optimizer-${index}`, type: "checkbox", checked: run.enabled });
  const swatch = el("span", { class: "swatch" });
  swatch.style.background = run.colour;
  const options = Object.entries(run.options).map(([key, value]) => optionControl(`optimizer-${index}-${key}`, key, value, (next) => onOption(key, next)));
  const panel = el(
    "fieldset",
    { class: "optimizer" },
    el("legend", {}, el("label", {}, toggle, swatch, run.label)),
    ...options,
    el("p", { class: "error", "data-run": index }),
  );
  // A switched-off optimizer folds to its name, so the list stays short.
  panel.classList.toggle("off", !run.enabled);
  toggle.addEventListener("change", () => {
    panel.classList.toggle("off", !toggle.checked);
    onToggle(toggle.checked);
  });
  return panel;
}
