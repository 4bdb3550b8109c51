#!/usr/bin/env python3
"""PyTorch's single-threaded CPU forward + backward on the shapes of benches/classification.rs.

Prints ns per element (logit) for cross_entropy (mean, class-index targets) on 1024x1000 and
65536x10 and binary_cross_entropy_with_logits (mean) on n = 1e7, all float32: the median and
the minimum over repeated runs (the minimum is the better estimate on a shared machine).

Usage: python3 benches/torch_classification.py [--reps N]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def bench(name, n_elements, make, reps):
    times = []
    for i in range(reps + 2):
        leaf = make()
        t0 = time.perf_counter()
        loss = leaf.pop(0)
        out = loss()
        out.backward()
        t1 = time.perf_counter()
        if i >= 2:  # the first calls warm up the allocator and the kernels
            times.append(t1 - t0)
    med = statistics.median(times) / n_elements * 1e9
    best = min(times) / n_elements * 1e9
    print(f"{name:<34} median {med:7.2f} ns/elem   min {best:7.2f} ns/elem   ({reps} runs)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    g = torch.Generator().manual_seed(0)
    for rows, classes in ((1024, 1000), (65536, 10)):
        x = (torch.rand(rows, classes, generator=g) * 8 - 4).float()
        y = torch.randint(0, classes, (rows,), generator=g)

        def make(x=x, y=y):
            z = x.clone().requires_grad_(True)
            return [lambda: F.cross_entropy(z, y)]

        bench(f"cross_entropy {rows}x{classes}", rows * classes, make, args.reps)
    n = 10_000_000
    z0 = (torch.rand(n, generator=g) * 8 - 4).float()
    t = torch.rand(n, generator=g).float()

    def make_bce():
        z = z0.clone().requires_grad_(True)
        return [lambda: F.binary_cross_entropy_with_logits(z, t)]

    bench("bce_with_logits 1e7", n, make_bce, max(3, args.reps // 3))


if __name__ == "__main__":
    main()
