#!/usr/bin/env python3
"""PyTorch CPU, one thread, forward + backward on the shapes and sizes of
benches/regression.rs and benches/classification.rs (float32, mean reduction).

Prints one line per case: ns per element, the minimum and the median over the repetitions
(the minimum is the better estimate on a shared machine). The input's .grad is reset to
None before each call, so every backward allocates and writes a fresh gradient, as
`loss(...); loss.backward()` does in a training step.

Usage: python3 benches/torch_baseline.py [--reps N] [--only SUBSTRING]
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn.functional as F


def log_cosh(p, y):
    d = p - y
    return (d + F.softplus(-2.0 * d) - math.log(2.0)).mean()


def bench(name, n_elements, x, f, reps):
    times = []
    for i in range(reps + 3):
        x.grad = None
        t0 = time.perf_counter()
        out = f(x)
        out.backward()
        t1 = time.perf_counter()
        if i >= 3:  # the first calls warm up the allocator and the kernels
            times.append(t1 - t0)
    best = min(times) / n_elements * 1e9
    med = statistics.median(times) / n_elements * 1e9
    print(f"{name:<36} min {best:8.3f} ns/el   median {med:8.3f} ns/el   ({reps} runs)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    g = torch.Generator().manual_seed(0)
    cases = []
    for n in (1_000, 100_000, 1_000_000):
        p = (torch.rand(n, generator=g) * 4 - 2).float().requires_grad_(True)
        y = (torch.rand(n, generator=g) * 4 - 2).float()
        z = (torch.rand(n, generator=g) * 8 - 4).float().requires_grad_(True)
        t = torch.rand(n, generator=g).float()
        reps = args.reps if n < 1_000_000 else max(5, args.reps // 3)
        cases += [
            (f"mse n={n}", n, p, lambda x, y=y: F.mse_loss(x, y), reps),
            (f"mae n={n}", n, p, lambda x, y=y: F.l1_loss(x, y), reps),
            (f"huber n={n}", n, p, lambda x, y=y: F.huber_loss(x, y, delta=1.0), reps),
            (f"smooth_l1 n={n}", n, p, lambda x, y=y: F.smooth_l1_loss(x, y, beta=1.0), reps),
            (f"log_cosh n={n}", n, p, lambda x, y=y: log_cosh(x, y), reps),
            (f"bce_with_logits n={n}", n, z,
             lambda x, t=t: F.binary_cross_entropy_with_logits(x, t), reps),
        ]
    for rows, classes in ((100, 10), (1024, 1000), (65536, 10)):
        x = (torch.rand(rows, classes, generator=g) * 8 - 4).float().requires_grad_(True)
        yc = torch.randint(0, classes, (rows,), generator=g)
        cases.append((f"cross_entropy {rows}x{classes}", rows * classes, x,
                      lambda x, yc=yc: F.cross_entropy(x, yc), max(5, args.reps // 3)))
    for name, n, x, f, reps in cases:
        if args.only in name:
            bench(name, n, x, f, reps)


if __name__ == "__main__":
    main()
