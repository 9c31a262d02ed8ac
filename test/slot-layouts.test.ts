// The element-wise base keeps slots of every layout (per element, per row and per column of a
// matrix, per element of vectors only, per tensor): sized from each parameter's shape, viewed by
// getState, saved and loaded (matched by name across another creation order), refused when shapes
// differ. A small family written for the test exercises the base alone, with no optimizer's arithmetic.
import { describe, expect, it } from "vitest";
import { createEngine, ElementwiseOptimizer, type Engine, type Kernels, type OptimizerSpec, type Param, type ParamGroup, type SlotsLayout } from "../src/index.js";
import { decodeState } from "../src/state/format.js";
import { num } from "../src/validation.js";
import { expectRejected } from "./helpers/stateBytes.js";

type Options = { lr: number };

const SPEC: OptimizerSpec<Options> = {
  kind: "Layouts",
  rules: { lr: num(1, { min: 0 }) },
  slots: [
    "everyElement",
    { name: "rows", layout: "row" },
    { name: "columns", layout: "column" },
    { name: "vectorElements", layout: "unfactored" },
    { name: "perTensor", layout: "tensor" },
  ],
  scalars: ["calls"],
  scalarInit: () => 0,
};

/** Each step writes, in every slot of every parameter, 1000·(slot + 1) + 10·(parameter index) + step. */
class Layouts extends ElementwiseOptimizer<Options> {
  constructor(params: readonly Param[]) {
    super(SPEC, params);
  }

  protected update(kernels: Kernels, group: ParamGroup<Options>, layout: SlotsLayout): void {
    layout.scalars[0]++;
    group.params.forEach((param, j) => {
      layout.slots.forEach((offset, k) => {
        const end = j + 1 < group.params.length ? layout.slotStarts[k][j + 1] : layout.slotLengths[k];
        const length = end - layout.slotStarts[k][j];
        kernels.fill(offset + 4 * layout.slotStarts[k][j], length, 1000 * (k + 1) + 10 * j + layout.step);
      });
    });
  }
}

function model(engine: Engine, order: readonly number[]): Param[] {
  const specs: [string, number[]][] = [
    ["embed", [3, 5]],
    ["bias", [4]],
    ["conv", [2, 3, 7]],
    ["scale", []],
  ];
  return order.map((i) => engine.param(specs[i][1], { name: specs[i][0] }));
}

describe("slot layouts", () => {
  it("size each slot from each parameter's shape, and getState views only the slots a parameter has", async () => {
    const engine = await createEngine({ backend: "js" });
    const [embed, bias, conv, scale] = model(engine, [0, 1, 2, 3]);
    const opt = new Layouts([embed, bias, conv, scale]);
    opt.step();
    const lengths = (p: Param) => Object.fromEntries(Object.entries(opt.getState(p)).map(([k, v]) => [k, v instanceof Float32Array ? v.length : v]));
    expect(lengths(embed)).toEqual({ step: 1, calls: 1, everyElement: 15, rows: 3, columns: 5, perTensor: 1 });
    expect(lengths(bias)).toEqual({ step: 1, calls: 1, everyElement: 4, vectorElements: 4, perTensor: 1 });
    // A batch of two 3×7 matrices: 6 rows, 14 columns.
    expect(lengths(conv)).toEqual({ step: 1, calls: 1, everyElement: 42, rows: 6, columns: 14, perTensor: 1 });
    expect(lengths(scale)).toEqual({ step: 1, calls: 1, everyElement: 1, vectorElements: 1, perTensor: 1 });
    // Each view is the parameter's own run: the values its update wrote there.
    expect([...(opt.getState(conv).rows as Float32Array)]).toEqual(new Array(6).fill(2000 + 20 + 1));
    expect([...(opt.getState(bias).vectorElements as Float32Array)]).toEqual(new Array(4).fill(4000 + 10 + 1));
    expect([...(opt.getState(scale).perTensor as Float32Array)]).toEqual([5000 + 30 + 1]);
    engine.dispose();
  });

  it("save their layouts and load by name into another creation order, each parameter's runs moved", async () => {
    const engine = await createEngine({ backend: "js" });
    const saved = new Layouts(model(engine, [0, 1, 2, 3]));
    saved.step();
    saved.step();
    const bytes = saved.saveState();
    const { header, payload } = decodeState(bytes);
    expect(header.slots.map((s) => `${s.name}:${s.layout}:${s.dtype}`)).toEqual([
      "everyElement:element:float32", "rows:row:float32", "columns:column:float32", "vectorElements:unfactored:float32", "perTensor:tensor:float32",
    ]);
    // 62 elements, 9 rows, 19 columns, 5 vector elements, 4 tensors.
    expect(payload.length).toBe(4 * (62 + 9 + 19 + 5 + 4));

    const reordered = model(engine, [3, 2, 1, 0]);
    const loaded = new Layouts(reordered);
    loaded.loadState(bytes);
    for (const param of reordered) {
      const original = saved.paramGroups[0].params.find((p) => p.name === param.name)!;
      expect(loaded.getState(param)).toEqual(saved.getState(original));
    }
    expect(loaded.saveState().length).toBe(bytes.length);
    engine.dispose();
  });

  it("refuse a state whose shapes differ, though the element counts agree", async () => {
    const engine = await createEngine({ backend: "js" });
    const opt = new Layouts(model(engine, [0, 1]));
    opt.step();
    const other = new Layouts([engine.param([5, 3], { name: "embed" }), engine.param([4], { name: "bias" })]);
    expectRejected(other, opt.saveState(), /parameter "embed" has shape \[5, 3\], the state has \[3, 5\]/);
    engine.dispose();
  });
});
