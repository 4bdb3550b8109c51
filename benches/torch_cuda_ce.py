#!/usr/bin/env python3
"""PyTorch on the GPU, for comparison with `cargo bench --features cuda --bench cuda`.

Times, with CUDA events and a synchronize per repetition (as the Rust benchmark waits for
its result):
  * F.cross_entropy forward + backward (gradient w.r.t. the logits), f32, class-index
    targets, at 8192 x 32000 and 65536 x 128;
  * F.mse_loss forward + backward at n = 10^8 f32, and a device-to-device copy of the
    two inputs.
Prints the median and the minimum over the repetitions, in milliseconds.

Usage: python3 benches/torch_cuda_ce.py [--reps 50]     (needs torch with CUDA)
"""
import argparse
import statistics

import torch
import torch.nn.functional as F


def timed(fn, reps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=50)
    args = ap.parse_args()
    assert torch.cuda.is_available(), "no CUDA device"
    dev = torch.device("cuda")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    g = torch.Generator(device=dev).manual_seed(0)

    for rows, classes in ((8192, 32000), (65536, 128)):
        logits = (torch.rand(rows, classes, device=dev, generator=g) - 0.5) * 8
        logits.requires_grad_(True)
        target = torch.randint(0, classes, (rows,), device=dev, generator=g)

        def ce():
            logits.grad = None
            loss = F.cross_entropy(logits, target)
            loss.backward()
            return loss.item()  # waits for the value, as the Rust benchmark does

        med, best = timed(ce, args.reps)
        print(f"cross_entropy fwd+bwd {rows}x{classes}: median {med:.3f} ms, min {best:.3f} ms")

    n = 100_000_000
    pred = (torch.rand(n, device=dev, generator=g) - 0.5) * 2
    pred.requires_grad_(True)
    target = (torch.rand(n, device=dev, generator=g) - 0.5) * 2

    def mse():
        pred.grad = None
        loss = F.mse_loss(pred, target)
        loss.backward()
        return loss.item()

    med, best = timed(mse, args.reps)
    print(f"mse fwd+bwd n=1e8: median {med:.3f} ms, min {best:.3f} ms")
    scratch = torch.empty(2 * n, device=dev)

    def copy():
        scratch[:n].copy_(pred.detach())
        scratch[n:].copy_(target)

    med, best = timed(copy, args.reps)
    print(f"dtod copy of the inputs n=1e8: median {med:.3f} ms, min {best:.3f} ms")


if __name__ == "__main__":
    main()
