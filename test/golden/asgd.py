"""Writes asgd.json: torch.optim.ASGD trajectories, the golden numbers of test/asgd.test.ts.

Run with torch 1.13 (Debian's python3-torch 1.13.1): /usr/bin/python3 test/golden/asgd.py
Inputs are deterministic float32 values from a formula (no torch RNG); the outputs are what
torch's single-tensor ASGD (foreach=False, its CPU default) computes after every step.
"""
import json
import math
import os

import torch

N = 7  # a SIMD vector of 4 and a scalar tail of 3
STEPS = 12
CASES = [
    {"lr": 0.05},
    {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 3},  # averaging from step 5 (mu != 1)
    {"lr": 0.02, "lambd": 0.01, "t0": 0, "weight_decay": 0.1},  # mu < 1 from step 3
    {"lr": 0.1, "lambd": 0.05, "alpha": 1.0, "t0": 2.5, "weight_decay": 0.05, "maximize": True},
    {},  # torch's defaults
]


def values(n, seed, scale):
    return [math.sin(1.7 * i + 0.37 * seed) * scale for i in range(n)]


def run(options):
    param = torch.tensor(values(N, 1, 1.5), dtype=torch.float32, requires_grad=True)
    opt = torch.optim.ASGD([param], foreach=False, **options)
    initial = param.detach().clone().tolist()
    grads, steps = [], []
    for t in range(1, STEPS + 1):
        grad = torch.tensor(values(N, 10 + t, 1.0), dtype=torch.float32)
        param.grad = grad
        opt.step()
        state = opt.state[param]
        grads.append(grad.tolist())
        steps.append({
            "param": param.detach().tolist(),
            "ax": state["ax"].tolist(),
            "eta": state["eta"].item(),
            "mu": state["mu"].item(),
        })
    return {"options": options, "initial": initial, "grads": grads, "steps": steps}


if __name__ == "__main__":
    out = {
        "source": f"torch {torch.__version__}, torch.optim.ASGD(foreach=False), written by test/golden/asgd.py",
        "cases": [run(options) for options in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asgd.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
