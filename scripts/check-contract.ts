// Build-time check of the compiled kernels against the kernel contract (src/backend/contract.ts):
// every contract kernel is exported with the contract's wasm parameter and result types, and the
// module exports no other function. Run by scripts/build-wasm.mjs on each module's text format.
import { readFileSync } from "node:fs";
import { argKinds, KERNEL_NAMES, KERNEL_CONTRACT } from "../src/backend/contract.js";

const WASM_TYPE: Record<string, string> = { ptr: "i32", half: "i32", size: "i32", bool: "i32", u32: "i32", codes: "i32", scales: "i32", scratch: "i32", f32: "f32" };

/** Exported name → [parameter types, result type] from a module's text format. */
function exportedSignatures(wat: string): Map<string, [string[], string]> {
  const funcs = new Map<string, [string[], string]>();
  for (const match of wat.matchAll(/^ \(func (\$\S+)((?: \(param \$\S+ \w+\))*)(?: \(result (\w+)\))?/gm)) {
    const params = [...match[2].matchAll(/\(param \$\S+ (\w+)\)/g)].map((p) => p[1]);
    funcs.set(match[1], [params, match[3] ?? "void"]);
  }
  const exports = new Map<string, [string[], string]>();
  for (const match of wat.matchAll(/^ \(export "(\w+)" \(func (\$\S+)\)\)/gm)) exports.set(match[1], funcs.get(match[2])!);
  return exports;
}

const problems: string[] = [];
for (const file of process.argv.slice(2)) {
  const exported = exportedSignatures(readFileSync(file, "utf8"));
  for (const name of KERNEL_NAMES) {
    const expected: [string[], string] = [argKinds(name).map((kind) => WASM_TYPE[kind]), (KERNEL_CONTRACT[name] as { returns?: string }).returns ?? "void"];
    const actual = exported.get(name);
    if (!actual) problems.push(`${file}: ${name} is in the contract but not exported`);
    else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${file}: ${name} is (${actual[0].join(", ")}) → ${actual[1]}, the contract says (${expected[0].join(", ")}) → ${expected[1]}`);
    }
  }
  for (const name of exported.keys()) if (!(name in KERNEL_CONTRACT)) problems.push(`${file}: exports ${name}, which the contract lacks`);
}
if (problems.length > 0) {
  console.error(`The kernels do not match src/backend/contract.ts:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`kernel contract: ${KERNEL_NAMES.length} kernels checked in ${process.argv.length - 2} modules`);
