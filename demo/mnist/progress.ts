import cliProgress from "cli-progress";
import type { CompareHooks } from "./compare.js";

/**
 * One cli-progress bar per run, on stderr, left on screen when the run ends. SingleBar rather
 * than MultiBar: training is synchronous within an epoch, and only SingleBar redraws from
 * inside update() when its timer has been starved.
 */
export function progressBars(runCount: number): CompareHooks {
  let bar: cliProgress.SingleBar | null = null;
  return {
    onRunStart(spec, lr, index) {
      const title = `${String(index + 1).padStart(2)}/${runCount} ${spec.label}`.padEnd(30);
      bar = new cliProgress.SingleBar(
        {
          format: `${title} {bar} {percentage}% | epoch {epoch} | loss {loss} | lr ${lr} | {duration}s`,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1, 0, { epoch: "-", loss: "-" });
      return (done, total, epoch, loss) => {
        bar!.setTotal(total);
        bar!.update(done, { epoch, loss: loss.toFixed(4) });
      };
    },
    onRunEnd(result) {
      const last = result.epochs.at(-1);
      bar?.update({ loss: last ? last.trainLoss.toFixed(4) : "-" });
      bar?.stop();
      bar = null;
    },
  };
}
