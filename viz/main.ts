// Wires the page: the engine and the race, the map, the chart, the controls and the animation.
import { schemeDark2, schemeTableau10 } from "d3-scale-chromatic";
import { createEngine, type BackendName, type Engine } from "../src/index.js";
import { backendSwitch } from "./backend-switch.js";
import { el, menu, optimizerPanel, slider } from "./controls.js";
import { CLIP_KNOB, formatValue } from "./knobs.js";
import { drawLandscape, Viewport } from "./landscape.js";
import { LossChart } from "./loss-chart.js";
import { OPTIMIZERS } from "./optimizers.js";
import { drawOverlay } from "./overlay.js";
import { SCHEDULES } from "./schedules.js";
import { Run, Simulation } from "./simulation.js";
import { SURFACES } from "./surfaces.js";

const MAP_WIDTH = 600;
const MAP_HEIGHT = 450;

/** A distinct colour per optimizer: Tableau's ten, then Dark2's eight. */
const PALETTE = [...schemeTableau10, ...schemeDark2];

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const notices: string[] = [];

function notify(message: string): void {
  notices.push(message);
  byId("notices").append(el("p", {}, message));
}

async function main(): Promise<void> {
  const engine = await createEngine({
    // The one warning the library gives when WebAssembly fails to start: keep it visible.
    onWarning: (message) => {
      console.warn(message);
      notify(message);
    },
  });
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === "undefined") {
    notify("WebAssembly is not available in this page: the optimizers run on the js backend, with the same results.");
  }
  const page = new Page(engine);
  Object.assign(globalThis, { viz: { state: () => page.state() } });
  page.start();
}

class Page {
  private readonly sim: Simulation;
  private readonly chart: LossChart;
  private surfaceId = SURFACES[0].id;
  private condition = 100;
  private speed = 2;
  private playing = false;
  private view: Viewport;
  /** The steps at which a backend switch took effect, for the curious and the tests. */
  private readonly switches: { step: number; backend: BackendName }[] = [];

  constructor(private readonly engine: Engine) {
    const runs = OPTIMIZERS.map((entry, k) => new Run(entry, PALETTE[k % PALETTE.length]));
    const surface = SURFACES[0].make(this.condition);
    this.sim = new Simulation(engine, runs, surface, SCHEDULES[0]);
    this.view = new Viewport(surface, MAP_WIDTH, MAP_HEIGHT);
    this.chart = new LossChart(byId("loss"));
    byId("header-controls").append(
      backendSwitch(
        engine,
        byId("status"),
        (backend) => this.switches.push({ step: this.sim.stepCount, backend }),
        (message) => notify(message),
      ),
    );
    this.buildTransport();
    this.buildSettings();
    this.buildOptimizers();
    byId("paths").addEventListener("click", (event) => {
      const box = (event.target as HTMLElement).getBoundingClientRect();
      this.sim.start = this.view.toWorld(event.clientX - box.left, event.clientY - box.top);
      this.restart();
    });
  }

  start(): void {
    this.newSurface();
    const frame = () => {
      this.tick();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  state() {
    const sim = this.sim;
    return {
      backend: this.engine.backend,
      available: this.engine.availableBackends(),
      heapKind: this.engine.heap.storage.kind,
      notices: notices.slice(),
      switches: this.switches.slice(),
      surface: sim.surface.id,
      targets: sim.surface.targets,
      start: sim.start.slice(),
      step: sim.stepCount,
      horizon: sim.horizon,
      maxGradNorm: sim.maxGradNorm,
      playing: this.playing,
      runs: sim.runs.map((run) => ({
        label: run.label,
        colour: run.colour,
        enabled: run.enabled,
        options: { ...run.options },
        error: run.error,
        path: run.path.slice(),
        losses: run.losses.slice(),
      })),
    };
  }

  private tick(): void {
    if (!this.playing) return;
    for (let k = 0; k < this.speed; k++) {
      if (this.sim.stepCount >= this.sim.horizon) {
        this.setPlaying(false);
        break;
      }
      this.sim.advance();
    }
    this.render();
  }

  private render(): void {
    drawOverlay(byId("paths"), this.view, this.sim.surface, this.sim.start, this.sim.runs.filter((run) => run.enabled));
    this.chart.update();
    byId("step-count").textContent = `step ${this.sim.stepCount}`;
    this.sim.runs.forEach((run, k) => {
      document.querySelector(`.error[data-run="${k}"]`)!.textContent = run.error ?? "";
    });
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing;
    byId("play").textContent = playing ? "Pause" : "Play";
  }

  private restart(): void {
    this.sim.restart();
    this.chart.reset(this.sim.runs, this.sim.surface);
    this.render();
  }

  /** A new surface (or condition number): redraw the map and start over from its start point. */
  private newSurface(keepStart = false): void {
    const surface = SURFACES.find((s) => s.id === this.surfaceId)!.make(this.condition);
    this.sim.surface = surface;
    if (!keepStart) this.sim.start = [surface.start[0], surface.start[1]];
    this.view = new Viewport(surface, MAP_WIDTH, MAP_HEIGHT);
    drawLandscape(byId("landscape"), this.view, surface);
    byId("condition-row").hidden = surface.id !== "quadratic";
    this.sim.noise = Math.min(this.sim.noise, surface.noiseMax);
    byId("noise-row").replaceChildren(
      slider("noise", "gradient noise σ", { kind: "range", min: 0, max: surface.noiseMax, log: false }, this.sim.noise, (sigma) => {
        this.sim.noise = sigma;
      }),
    );
    this.restart();
  }

  private buildTransport(): void {
    const play = el("button", { id: "play" }, "Play");
    const step = el("button", { id: "step" }, "Step");
    const reset = el("button", { id: "reset" }, "Reset");
    play.addEventListener("click", () => this.setPlaying(!this.playing));
    step.addEventListener("click", () => {
      this.setPlaying(false);
      this.sim.advance();
      this.render();
    });
    reset.addEventListener("click", () => {
      this.setPlaying(false);
      this.restart();
    });
    byId("transport").append(play, step, reset, el("span", { id: "step-count" }, "step 0"));
  }

  private buildSettings(): void {
    const stopAt = el("input", { id: "stop-at", type: "number", min: 1, max: 100000, value: this.sim.horizon });
    stopAt.addEventListener("change", () => {
      const value = Math.round(Number(stopAt.value));
      if (value >= 1) this.sim.horizon = value;
    });
    byId("settings").append(
      menu("surface", "surface", SURFACES, this.surfaceId, (id) => {
        this.surfaceId = id;
        this.newSurface();
      }),
      el(
        "div",
        { id: "condition-row" },
        slider("condition", "condition number κ", { kind: "range", min: 1, max: 1000, log: true }, this.condition, (kappa) => {
          this.condition = kappa;
          this.newSurface(true);
        }),
      ),
      el("div", { id: "noise-row" }),
      menu("schedule", "lr schedule", SCHEDULES, SCHEDULES[0].id, (id) => {
        this.sim.schedule = SCHEDULES.find((s) => s.id === id)!;
      }),
      slider(
        "clip",
        "clip gradient norm",
        CLIP_KNOB,
        CLIP_KNOB.max,
        (norm) => {
          this.sim.maxGradNorm = norm >= CLIP_KNOB.max ? Infinity : norm;
        },
        (norm) => (norm >= CLIP_KNOB.max ? "off" : formatValue(norm)),
      ),
      el("label", { class: "row" }, el("span", {}, "stop at step"), stopAt),
      slider("speed", "steps per frame", { kind: "range", min: 1, max: 20, log: false }, this.speed, (speed) => {
        this.speed = Math.max(1, Math.round(speed));
      }),
    );
  }

  private buildOptimizers(): void {
    const panels = this.sim.runs.map((run, k) =>
      optimizerPanel(
        k,
        run,
        (on) => {
          run.enabled = on;
          this.restart();
        },
        // Takes effect at the next step, without restarting: that is the point of the controls.
        (key, value) => run.setOption(key, value),
      ),
    );
    byId("optimizers").append(...panels);
  }
}

main().catch((error: unknown) => {
  byId("status").textContent = `The visualizer could not start: ${String(error)}`;
  throw error;
});
