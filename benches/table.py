#!/usr/bin/env python3
"""Builds the markdown table of the README's "Performance" section from one run: criterion's medians under
target/criterion (cargo bench --bench regression --bench classification) and the output of
benches/torch_baseline.py saved to a file.

Usage: python3 benches/table.py TORCH_OUTPUT.txt [CRITERION_DIR]"""
import json
import pathlib
import re
import sys

torch = {}
for line in open(sys.argv[1]):
    m = re.match(r"(.+?)\s+min\s+([\d.]+) ns/el", line)
    if m:
        torch[m.group(1).strip()] = float(m.group(2))
root = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "target/criterion")
ns = {}
for est in root.glob("**/new/estimates.json"):
    b = json.loads((est.parent / "benchmark.json").read_text())
    n = (b.get("throughput") or {}).get("Elements") or 1
    ns[b["full_id"]] = json.loads(est.read_text())["median"]["point_estimate"] / n


def row(name, size, ours, floor, naive, tkey, ours64=None):
    o = ns.get(ours)
    if o is None:
        return
    f = ns.get(floor)
    nv = ns.get(naive) if naive else None
    t = torch.get(tkey)
    cells = [name, size, f"{o:.3f}",
             f"{ns[ours64]:.3f}" if ours64 and ours64 in ns else "",
             f"{f:.3f}" if f else "", f"{o / f:.2f}×" if f else "",
             f"{nv:.3f}" if nv else "", f"{t:.3f}" if t else "",
             f"{t / o:.1f}×" if t else ""]
    print("| " + " | ".join(cells) + " |")


print("| loss | n | losskit f32 | losskit f64 | floor | ÷ floor | naive | PyTorch | PyTorch ÷ losskit |")
print("|---|---|---|---|---|---|---|---|---|")
for n in (1000, 100000, 1000000):
    g = f"regression_n{n}"
    for loss in ("mse", "mae", "huber", "smooth_l1", "rmse", "log_cosh", "msle"):
        row(loss, f"{n:.0e}", f"{g}/value+grad/{loss}", f"{g}/floor/read2_write1",
            f"{g}/naive/mse" if loss == "mse" else None, f"{loss} n={n}",
            f"{g}/value+grad/{loss}_f64")
    g = f"binary_n{n}"
    row("bce_with_logits", f"{n:.0e}", f"{g}/value+grad/bce_with_logits",
        f"{g}/floor/read2_write1", f"{g}/naive/bce_with_logits", f"bce_with_logits n={n}",
        f"{g}/value+grad/bce_with_logits_f64")
    row("binary_focal", f"{n:.0e}", f"{g}/value+grad/binary_focal", f"{g}/floor/read2_write1",
        None, "", f"{g}/value+grad/binary_focal_f64")
for shape in ("100x10", "1024x1000", "65536x10"):
    g = "cross_entropy_f32"
    row("cross_entropy", shape, f"{g}/losskit/{shape}", f"{g}/floor_read1_write1/{shape}",
        f"{g}/naive_two_pass/{shape}", f"cross_entropy {shape}", f"{g}/losskit_f64/{shape}")
    row("cross_entropy in place", shape, f"{g}/losskit_in_place/{shape}",
        f"{g}/floor_read1_write1/{shape}", None, "")
o = ns.get("overhead/mse_n1")
if o:
    print(f"\nPer-call overhead (MSE value+grad on one element): {o:.0f} ns.")
