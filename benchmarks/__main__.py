"""Run every benchmark module's ``main()``: ``python -m benchmarks [--only NAME ...] [-- ARGS...]``.

Each ``benchmarks/bench_*.py`` module has ``main(argv) -> int``; by default each runs with
its own defaults. ``--only`` picks modules (``--only bench_store``); ARGS after ``--`` go to
every picked module, e.g. ``python -m benchmarks --only bench_store -- --events 20000``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
from collections.abc import Sequence

import benchmarks


def bench_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(benchmarks.__path__) if info.name.startswith("bench_"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=bench_modules(), metavar="NAME", help="benchmark modules to run")
    args = parser.parse_args(argv)
    failed = []
    for name in args.only or bench_modules():
        module = importlib.import_module(f"{benchmarks.__name__}.{name}")
        bench_main = getattr(module, "main", None)
        if bench_main is None:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            # A main() without parameters reads sys.argv itself.
            if inspect.signature(bench_main).parameters:
                code = bench_main(passthrough)
            else:
                saved, sys.argv = sys.argv, [name, *passthrough]
                try:
                    code = bench_main()
                finally:
                    sys.argv = saved
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        print(f"== {name}: exit {code or 0} in {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
