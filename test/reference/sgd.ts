import type { SGDOptions } from "../../src/index.js";
import type { Reference } from "../helpers/reference.js";

/** torch.optim.SGD's update, written from its documented algorithm, in float64. */
export function sgdReference(n: number, o: Partial<SGDOptions>): Reference {
  const { lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, maximize = false } = o;
  const ema = o.momentumForm === "ema";
  const buf = new Float64Array(n);
  return {
    state: momentum !== 0 ? { momentumBuffer: buf } : {},
    step(t, p, g) {
      for (let i = 0; i < n; i++) {
        let d = (maximize ? -g[i] : g[i]) + weightDecay * p[i];
        if (momentum !== 0) {
          if (ema) buf[i] = momentum * buf[i] + (1 - momentum) * d;
          else buf[i] = t === 1 ? d : momentum * buf[i] + (1 - dampening) * d;
          d = nesterov ? d + momentum * buf[i] : buf[i];
        }
        p[i] -= lr * d;
      }
    },
  };
}
