// The visible backend switch. Switching is asynchronous (the wasm module may need compiling); the
// animation keeps stepping on the old backend until the new one is ready, on the same heap, so the
// paths carry on exactly where they were.
import type { BackendName, Engine } from "../src/index.js";
import { el } from "./controls.js";

const BACKENDS = ["wasm-simd", "wasm", "js"] as const satisfies readonly BackendName[];

const HEAP_KINDS: Record<string, string> = {
  "wasm-shared": "shared WebAssembly.Memory",
  wasm: "WebAssembly.Memory, unshared",
  resizable: "resizable ArrayBuffer",
  copying: "ArrayBuffer",
};

/**
 * `onSwitch(name)` is called when a switch takes effect; `onFailure(message)` when the engine
 * refuses one (it keeps its backend).
 */
export function backendSwitch(engine: Engine, status: HTMLElement, onSwitch: (name: BackendName) => void, onFailure: (message: string) => void): HTMLElement {
  const available = engine.availableBackends();
  const radios = BACKENDS.map((name) =>
    el("input", { type: "radio", name: "backend", id: `backend-${name}`, value: name, disabled: !available.includes(name) }),
  );
  // Shows the engine's backend in the radio buttons and the status line.
  const refresh = () => {
    for (const radio of radios) radio.checked = radio.value === engine.backend;
    status.textContent = `Steps run on the ${engine.backend} backend · heap: ${HEAP_KINDS[engine.heap.storage.kind]}`;
  };
  for (const radio of radios) {
    radio.addEventListener("change", () => {
      const name = radio.value as BackendName;
      engine.setBackend(name).then(
        (now) => {
          refresh();
          if (now === name) onSwitch(name);
        },
        (error: unknown) => {
          refresh();
          onFailure(error instanceof Error ? error.message : String(error));
        },
      );
    });
  }
  refresh();
  return el("fieldset", { id: "backend-switch" }, el("legend", {}, "Backend"), ...radios.map((radio) => el("label", {}, radio, radio.value)));
}
