#!/usr/bin/env python3
"""Regenerate src/text_order.ld: the functions the `luavm` command runs, packed together.

Usage: benches/text_order.py [-o FILE] [--check]
Runs target/release/luavm (or $LUAVM) under callgrind on every program of
../shared/bench (or $BENCH_DIR) at a small size, maps the instructions executed to the
functions of the binary (nm), and writes a linker script that places those functions
first in the text segment, the functions every run executes (start-up) first, then
those fewer runs execute. With --check it only prints how much of the executed code the
current script covers and how many 64 KB windows a run touches.

Why: the kernel maps a file's pages 64 KB at a time around a page fault
(fault-around), so a run costs 64 KB of resident memory for every 64 KB window of the
text it executes anything in. Unordered, start-up alone touches nearly every window of
the 1.4 MB text; packed, the code a run executes fits in a few windows.

The patterns leave out what changes from one build to another (the hash of a legacy
Rust symbol, `17h<16 hex digits>E`; the crate disambiguator of a v0 symbol, `Cs<base62>_`,
and its back-references; LTO's `.llvm.<n>` suffix). Builds use v0 mangling
(.cargo/config.toml): a generic function's instances have distinct names there, where
legacy names differ only by their hash, so the script stays valid across rebuilds and compiler
versions; a function renamed or gone is skipped by the linker (a pattern that matches
nothing is not an error), and code not in the script keeps its place after the packed
part. Regenerate after big changes to what start-up or the interpreter loop calls.
"""
import bisect, collections, fnmatch, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.environ.get("BENCH_DIR", os.path.join(ROOT, "..", "shared", "bench"))
LUAVM = os.environ.get("LUAVM", os.path.join(ROOT, "target", "release", "luavm"))
OUT = os.path.join(ROOT, "src", "text_order.ld")
# small sizes: a few seconds each under callgrind, with the same code paths as the defaults
TRAINING = [("fib", "27"), ("loops", "1000"), ("binary_trees", "14"), ("nbody", "20000"),
            ("spectral_norm", "100"), ("fannkuch", "8"), ("mandelbrot", "200"),
            ("strings", "20000"), ("patterns", "3000"), ("tables", "30000"),
            ("closures", "300000"), ("oop", "25000"), ("coroutines", "200000")]


def functions(binary):
    """(start, size, name) of the binary's functions, sorted by address."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW" and int(p[1], 16) > 0:
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    syms.sort()
    return syms


def executed(cg_out, binary):
    """Instructions of `binary` executed, from a callgrind output written with
    --dump-instr=yes --dump-line=no (positions are instruction addresses, absolute or
    relative to the previous one): {address: times executed}."""
    names, obj, fn_obj, last, counts = {}, None, None, 0, collections.Counter()
    base = os.path.basename(binary)
    call_line = False

    def name(s, kind):
        m = re.match(r"\((\d+)\)(?: (.*))?", s)
        if not m:
            return s
        if m.group(2) is not None:
            names[(kind, m.group(1))] = m.group(2)
        return names.get((kind, m.group(1)), "?")

    for line in open(cg_out):
        if line.startswith("ob="):
            obj = fn_obj = name(line[3:].strip(), "ob")
        elif line.startswith("cob="):
            name(line[4:].strip(), "ob")
        elif line.startswith("fn="):
            name(line[3:].strip(), "fn")
            fn_obj = obj
        elif line.startswith("cfn="):
            name(line[4:].strip(), "fn")
        elif line.startswith("calls="):
            call_line = True
        elif line[:1] in ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "-", "*"):
            tok = line.split()
            if tok[0].startswith("0x"):
                last = int(tok[0], 16)
            elif tok[0][0] == "+":
                last += int(tok[0][1:])
            elif tok[0][0] == "-":
                last -= int(tok[0][1:])
            elif tok[0] != "*":
                last = int(tok[0])
            if fn_obj and os.path.basename(fn_obj) == base:
                # the line after calls= holds the call's inclusive cost, not the instruction's
                counts[last] += 0 if call_line else int(tok[1]) if len(tok) > 1 else 0
            call_line = False
    return counts


def pattern(sym):
    """The section-name pattern of a function, without what changes between builds."""
    p = re.sub(r"17h[0-9a-f]{16}E", "17h*E", sym)
    p = re.sub(r"\.llvm\.\d+", ".llvm.*", p)
    if p.startswith("_R"):
        p = re.sub(r"Cs[0-9A-Za-z]+_(?=\d)", "Cs*_", p)
        # back-references are positions in the symbol, which move when a disambiguator
        # before them changes length (this may also widen an identifier: a pattern that
        # then matches a function no run executed stays exact, below)
        p = re.sub(r"B[0-9A-Za-z]{0,3}_", "B*_", p)
    return p


def runs(binary):
    """For each training run, the set of functions it executes."""
    syms = functions(binary)
    starts = [s[0] for s in syms]
    result = []
    with tempfile.TemporaryDirectory() as tmp:
        for prog, size in TRAINING:
            out = os.path.join(tmp, prog + ".cg")
            subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=yes",
                            "--dump-line=no", "--callgrind-out-file=" + out, binary,
                            prog + ".lua", size], cwd=BENCH, capture_output=True, check=True)
            used = collections.Counter()
            for a, n in executed(out, binary).items():
                i = bisect.bisect_right(starts, a) - 1
                if i >= 0 and a < syms[i][0] + syms[i][1]:
                    used[syms[i]] += n
            result.append((prog, used))
            print(f"{prog:14} {len(used):5} functions, {sum(s[1] for s in used) // 1024:4} KB",
                  file=sys.stderr)
    return syms, result


def windows(used):
    return len({a >> 16 for s in used for a in range(s[0], s[0] + s[1], 4096)})


def script_patterns(path):
    """The section-name patterns of an existing script, in order."""
    pats = []
    for line in open(path):
        m = re.match(r"\s*\*\((\.text\.\S+) ", line)
        if m:
            pats.append(m.group(1)[len(".text."):])
    return pats


def check(syms, result, path):
    pats = script_patterns(path)
    packed = [s for s in syms if any(fnmatch.fnmatchcase(s[2], p) for p in pats)]
    end = max((s[0] + s[1] for s in packed), default=0)
    print(f"{path}: {len(pats)} patterns match {len(packed)} functions, "
          f"{sum(s[1] for s in packed) // 1024} KB packed below {end:#x}")
    for prog, used in result:
        out = [s for s in used if s[0] >= end]
        print(f"{prog:14} executes code in {windows(used):3} of {windows(syms)} 64 KB windows; "
              f"{len(out):3} functions ({sum(s[1] for s in out) // 1024} KB) outside the packed part")


def main():
    args = sys.argv[1:]
    out = OUT
    if args[:1] == ["-o"]:
        out = args[1]
        args = args[2:]
    syms, result = runs(LUAVM)
    if "--check" in args:
        check(syms, result, out)
        return
    count = collections.Counter(s for _, used in result for s in used)
    executed_names = {s[2] for s in count}
    # the functions that run a tenth of some program's instructions (the interpreter's
    # loop) start 16 bytes into a cache line, so that their speed does not depend on the
    # size of the code before them: where the loop had been measured (with the default
    # layout it started at 16 mod 64); at 0, 32 or 48 mod 64, nbody or fannkuch ran
    # 2-5% slower (min of 15 runs)
    hottest = {s for _, used in result for s, n in used.items() if n * 10 >= sum(used.values())}
    # most shared first (start-up: every run); in each group, the compiler's order
    order = sorted(count, key=lambda s: (-count[s], s[0]))
    seen, lines = set(), []
    for s in order:
        p = pattern(s[2])
        # a pattern that also matches functions no run executed (other instances of a
        # generic function: `run::<true>` beside `run::<false>`) stays exact
        if any(fnmatch.fnmatchcase(t[2], p) and t[2] not in executed_names for t in syms):
            p = s[2]
        if p not in seen:
            seen.add(p)
            if s in hottest:
                lines.append("    . = ALIGN(64) + 16;")
            lines.append(f"    *(.text.{p} .text.*.{p})")
    total = sum(s[1] for s in order)
    with open(out, "w") as f:
        f.write(f"""/* The functions the `luavm` command executes, packed at the start of the text
   (after .init, .fini and .plt, which every run touches too): start-up first, then
   the functions fewer of the benchmark programs execute, then everything else.
   The hottest functions (a tenth of some program's instructions) start 16 bytes into
   a cache line (why: benches/text_order.py). Generated by benches/text_order.py from {len(TRAINING)} callgrind runs ({len(seen)} patterns,
   {total // 1024} KB of functions); linked by build.rs into release builds of the binary.
   Why: docs/ARCHITECTURE.md ("root"). */
SECTIONS
{{
  .plt : {{ *(.plt) }}
  .text : {{
    *crt*.o(.text)
""")
        f.write("\n".join(lines))
        f.write("""
    *(.text .text.*)
  }
}
INSERT AFTER .fini;
""")
    print(f"wrote {out}: {len(seen)} patterns, {total // 1024} KB; aligned: "
          + ", ".join(s[2][:60] for s in hottest), file=sys.stderr)


if __name__ == "__main__":
    main()
