#!/usr/bin/env python3
"""Prints ns/element (criterion's median) of every benchmark under target/criterion, one
line each: group, benchmark, ns/element, elements. Usage: python3 benches/summarize.py"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
for est in sorted(root.glob("**/new/estimates.json")):
    bench = json.loads((est.parent / "benchmark.json").read_text())
    tp = bench.get("throughput") or {}
    n = tp.get("Elements") or 1
    med = json.loads(est.read_text())["median"]["point_estimate"]
    print(f"{bench['group_id']:<26} {bench['full_id'][len(bench['group_id'])+1:]:<36} "
          f"{med / n:9.4f} ns/el  n={n}  ({med:.0f} ns/call)")
