import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs a command; on failure the error names it, its folder, exit code, and what it printed. */
export async function run(command: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args, { cwd, maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    throw new Error(
      `\`${command} ${args.join(" ")}\` in ${cwd} failed (exit ${e.code}):\n` +
        `--- stdout ---\n${e.stdout ?? ""}\n--- stderr ---\n${e.stderr ?? ""}`,
    );
  }
}
