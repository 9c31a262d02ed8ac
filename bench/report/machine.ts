// Where the numbers were taken: CPU, memory, Node/V8, and the versions of every package measured.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  platform: string;
  node: string;
  v8: string;
  /** 1-minute load average when the run started: anything near the core count means noisy numbers. */
  loadAverage: number;
  gitCommit?: string;
  packages: Record<string, string>;
}

const MEASURED = ["tinybench", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "@jax-js/jax", "assemblyscript"];

function version(pkg: string): string {
  try {
    // Read from node_modules directly: not every package exports its package.json.
    const manifest = new URL(`../../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  const own = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const packages: Record<string, string> = { "wasm-optim": own.version };
  for (const pkg of MEASURED) packages[pkg] = version(pkg);
  let gitCommit: string | undefined;
  try {
    gitCommit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    gitCommit = undefined;
  }
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg()[0],
    gitCommit,
    packages,
  };
}
