#!/usr/bin/env python3
"""Minimal reader/validator for tests/data/torch_*.txt (written by torch_reference.py).

Format (one record per line, whitespace separated):
    # comment                      (header only)
    case <name>
    dtype f32|f64
    param <name> <value>           (0+; value is an int, a float or a word)
    shape <rows> <cols>            (optional)
    vec <name> <v1> <v2> ...       (1+; ints, floats, inf, -inf, nan)
    end

Usage: python3 scripts/read_reference.py [files...]   (default: tests/data/torch_*.txt)
Exits non-zero on any structural problem.
"""
import glob
import math
import os
import struct
import sys


def _num(tok):
    try:
        return int(tok)
    except ValueError:
        return float(tok)  # accepts inf, -inf, nan


def _param(tok):
    try:
        return _num(tok)
    except ValueError:
        return tok  # a word such as mean|sum|none


def parse(path):
    """Return a list of dicts {name, dtype, params, shape, vecs} in file order."""
    cases, cur = [], None
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            tok = line.split()
            kw = tok[0]

            def fail(msg):
                raise ValueError(f"{path}:{lineno}: {msg}: {line[:80]!r}")

            if kw == "case":
                if cur is not None or len(tok) != 2:
                    fail("bad case line")
                cur = {"name": tok[1], "dtype": None, "params": {}, "shape": None, "vecs": {}}
            elif cur is None:
                fail("record outside case")
            elif kw == "dtype":
                if len(tok) != 2 or tok[1] not in ("f32", "f64"):
                    fail("bad dtype")
                cur["dtype"] = tok[1]
            elif kw == "param":
                if len(tok) != 3 or tok[1] in cur["params"]:
                    fail("bad param")
                cur["params"][tok[1]] = _param(tok[2])
            elif kw == "shape":
                if len(tok) != 3:
                    fail("bad shape")
                cur["shape"] = (int(tok[1]), int(tok[2]))
            elif kw == "vec":
                if len(tok) < 3 or tok[1] in cur["vecs"]:
                    fail("bad vec")
                cur["vecs"][tok[1]] = [_num(t) for t in tok[2:]]
            elif kw == "end":
                if len(tok) != 1 or cur["dtype"] is None or "value" not in cur["vecs"]:
                    fail("bad end / incomplete case")
                cases.append(cur)
                cur = None
            else:
                fail("unknown keyword")
    if cur is not None:
        raise ValueError(f"{path}: unterminated case {cur['name']}")
    return cases


def _f32_exact(x):
    if isinstance(x, int) or math.isnan(x) or math.isinf(x):
        return True
    try:
        return struct.unpack("f", struct.pack("f", x))[0] == x
    except OverflowError:
        return False


def validate(cases, rowwise=False):
    """Structural checks; returns a list of problems (empty if fine)."""
    errs, names = [], set()
    for c in cases:
        n = c["name"]
        if n in names:
            errs.append(f"{n}: duplicate name")
        names.add(n)
        red = c["params"].get("reduction")
        if red not in ("mean", "sum", "none"):
            errs.append(f"{n}: missing/bad reduction")
        v = c["vecs"]
        inp = next((k for k in ("pred", "logits", "input") if k in v), None)
        if inp is None or "grad" not in v:
            errs.append(f"{n}: no input or grad vec")
            continue
        if len(v["grad"]) != len(v[inp]):
            errs.append(f"{n}: grad length")
        if rowwise and c["shape"] is None:
            errs.append(f"{n}: row-wise case without shape")
        if c["shape"] is not None and c["shape"][0] * c["shape"][1] != len(v[inp]):
            errs.append(f"{n}: shape mismatch")
        if red in ("mean", "sum") and len(v["value"]) != 1:
            errs.append(f"{n}: value should be scalar")
        if red == "none":
            # multiclass cases are row-wise (one value per row); everything else is elementwise
            rows = c["shape"][0] if rowwise else len(v[inp])
            if len(v["value"]) != rows:
                errs.append(f"{n}: value length {len(v['value'])} != {rows}")
        if c["dtype"] == "f32":
            for k, arr in v.items():
                if not all(_f32_exact(x) for x in arr):
                    errs.append(f"{n}: vec {k} not f32-exact")
    return errs


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    files = argv or sorted(glob.glob(os.path.join(here, "..", "tests", "data", "torch_*.txt")))
    bad = 0
    for f in files:
        cases = parse(f)
        errs = validate(cases, rowwise="multiclass" in os.path.basename(f))
        for e in errs:
            print(f"{os.path.basename(f)}: {e}")
        bad += len(errs)
        print(f"{os.path.basename(f)}: {len(cases)} cases, {os.path.getsize(f)} bytes, "
              f"{'OK' if not errs else str(len(errs)) + ' problems'}")
    return 1 if bad or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
