#!/usr/bin/env python3
"""Compare target/release/luavm with lua5.4 on ../shared/bench (or BENCH_DIR).

Usage: benches/compare.py [-n RUNS] [program[:size] ...]
Prints, per program, the median user+sys CPU time of each interpreter over RUNS
runs (interleaved, same machine, same moment) and the ratio luavm / lua5.4,
after checking that both print the same last line.
"""
import os, resource, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.environ.get("BENCH_DIR", os.path.join(ROOT, "..", "shared", "bench"))
LUAVM = os.environ.get("LUAVM", os.path.join(ROOT, "target", "release", "luavm"))
REF = os.environ.get("REF", "lua5.4")
ALL = ["fib", "loops", "binary_trees", "nbody", "spectral_norm", "fannkuch", "mandelbrot",
       "strings", "patterns", "tables", "closures", "oop", "coroutines"]

def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, cwd=BENCH, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[:200]
    return t, last

def main():
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ["-n"]:
        runs = int(args[1]); args = args[2:]
    progs = args or ALL
    print(f"{'program':16} {'luavm':>8} {REF:>8} {'ratio':>6}")
    for p in progs:
        name, _, size = p.partition(":")
        extra = [size] if size else []
        a, b = [], []
        la = lb = None
        for _ in range(runs):
            t, la = run([LUAVM, name + ".lua"] + extra); a.append(t)
            t, lb = run([REF, name + ".lua"] + extra); b.append(t)
        ma, mb = statistics.median(a), statistics.median(b)
        flag = "" if la == lb else f"  MISMATCH: {la!r} vs {lb!r}"
        print(f"{name:16} {ma:8.3f} {mb:8.3f} {ma / mb if mb else 0:6.2f}{flag}", flush=True)

if __name__ == "__main__":
    main()
