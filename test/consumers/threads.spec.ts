// (d) The installed package runs its worker threads from dist/ and gives the sources' bits.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, inject, it } from "vitest";
import * as lib from "../../src/index.js";
import { FIXTURE } from "./helpers/paths.js";
import { run } from "./helpers/run.js";

const { app } = inject("consumer");

describe("a Node consumer with threads", () => {
  it("(d) runs 2 threads from dist/ and gets the sources' one-thread bits", async () => {
    const { threadedAdam } = await import(pathToFileURL(join(FIXTURE, "threads-scenario.js")).href);
    const expected = await threadedAdam(lib, 1);
    expect(expected.threads).toBe(1);
    const { stdout, stderr } = await run(process.execPath, ["threads.js"], app);
    expect(JSON.parse(stdout)).toEqual({ ...expected, threads: 2 });
    expect(stderr).toBe("");
  });
});
