// (a) and (b): Node loads the installed package from an ES module and from CommonJS, and both
// give the sources' numbers.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { stepOnSources, type StepResult } from "./helpers/expected.js";
import { run } from "./helpers/run.js";

const { app } = inject("consumer");
const ENTRY = join(app, "node_modules", "wasm-optim", "dist", "index.js");

let expected: StepResult;
beforeAll(async () => {
  expected = await stepOnSources();
});

async function runNode(file: string): Promise<StepResult & { resolved: string; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [file], app);
  return { ...JSON.parse(stdout), stderr };
}

describe("a Node consumer", () => {
  it("gets the expected first Adam step from the sources", () => {
    // Step 1 of Adam moves each value by lr·g/(|g| + eps) ≈ lr·sign(g), and expAvg = (1 − β1)·g.
    expect(expected.backend).toBe("wasm-simd");
    [0.9, 2.1, 2.9, -4.1].forEach((v, i) => expect(expected.values[i]).toBeCloseTo(v, 6));
    [0.05, -0.1, 0.2, 0.025].forEach((m, i) => expect(expected.expAvg[i]).toBeCloseTo(m, 7));
  });

  it("(a) imports the package as an ES module: dist/index.js, same bits as the sources", async () => {
    const { resolved, stderr, ...result } = await runNode("esm.js");
    expect(resolved).toBe(pathToFileURL(ENTRY).href);
    expect(result).toEqual(expected);
    expect(stderr).toBe("");
  });

  it("(b) require()s the package from CommonJS (require(esm)): dist/index.js, same bits as the sources", async () => {
    const { resolved, stderr, ...result } = await runNode("cjs.cjs");
    expect(resolved).toBe(ENTRY);
    expect(result).toEqual(expected);
    // Node may say that require(esm) is experimental; nothing else belongs on stderr.
    expect(stderr.replace(/^.*ExperimentalWarning.*\n(\(Use `node --trace-warnings.*\n)?/gm, "")).toBe("");
  });
});
