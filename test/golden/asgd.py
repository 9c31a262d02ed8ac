"""Writes asgd.json: torch.optim.ASGD trajectories, the golden numbers of test/asgd.test.ts.

Run with torch 1.13 (Debian's python3-torch 1.13.1): /usr/bin/python3 test/golden/asgd.py
Inputs are deterministic float32 values from a formula (no torch RNG); the outputs are what
torch's single-tensor ASGD (foreach=False, its CPU default) computes after every step, over one param
group of two tensors (the first SPLIT values and the rest), listed joined.
"""
import json
import math
import os

import torch

N = 7  # a SIMD vector of 4 and a scalar tail of 3
SPLIT = 3
STEPS = 12
CASES = [
    {"lr": 0.05},
    {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 3},  # averaging from step 5 (mu != 1)
    {"lr": 0.02, "lambd": 0.01, "t0": 0, "weight_decay": 0.1},  # mu < 1 from step 3
    {"lr": 0.1, "lambd": 0.05, "alpha": 1.0, "t0": 2.5, "weight_decay": 0.05, "maximize": True},
    {},  # torch's defaults
    # The group's lr changed before step 5 (as a scheduler would): the next eta uses the new lr.
    {"lr": 0.05, "lambd": 0.1, "t0": 1, "lr_at_step": {"5": 0.01, "9": 0.2}},
]


def values(n, seed, scale):
    return [math.sin(1.7 * i + 0.37 * seed) * scale for i in range(n)]


def run(case):
    options = {k: v for k, v in case.items() if k != "lr_at_step"}
    initial = torch.tensor(values(N, 1, 1.5), dtype=torch.float32)
    params = [initial[:SPLIT].clone().requires_grad_(), initial[SPLIT:].clone().requires_grad_()]
    opt = torch.optim.ASGD(params, foreach=False, **options)
    grads, steps = [], []
    for t in range(1, STEPS + 1):
        if str(t) in case.get("lr_at_step", {}):
            opt.param_groups[0]["lr"] = case["lr_at_step"][str(t)]
        grad = torch.tensor(values(N, 10 + t, 1.0), dtype=torch.float32)
        params[0].grad, params[1].grad = grad[:SPLIT].clone(), grad[SPLIT:].clone()
        opt.step()
        states = [opt.state[p] for p in params]
        assert states[0]["eta"].item() == states[1]["eta"].item() and states[0]["mu"].item() == states[1]["mu"].item()
        grads.append(grad.tolist())
        steps.append({
            "param": torch.cat([p.detach() for p in params]).tolist(),
            "ax": torch.cat([s["ax"] for s in states]).tolist(),
            "eta": states[0]["eta"].item(),
            "mu": states[0]["mu"].item(),
        })
    return {"options": options, "lrAtStep": case.get("lr_at_step", {}), "split": SPLIT, "initial": initial.tolist(), "grads": grads, "steps": steps}


if __name__ == "__main__":
    out = {
        "source": f"torch {torch.__version__}, torch.optim.ASGD(foreach=False), written by test/golden/asgd.py",
        "cases": [run(options) for options in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asgd.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
