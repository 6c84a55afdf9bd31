"""Analysis CPU per package, the fastest of K repeats, summed: a steadier figure than one whole run
on a machine shared with other work (a burst of load inflates a few packages, not the minimum).

    cd /usr/share/go-1.19/src && PYTHONPATH=CHECKOUT python3 CHECKOUT/bench/package_cpu.py 3 \
        check . --no-cache --jobs 1 --exit-zero > /dev/null

Runs `lockjaw` with the given arguments in this process (so `--jobs 1`), analysing each package K
times (the findings are those of the first) and prints, on stderr, the sum over packages of the
fastest repeat's CPU time, and the sum of the first repeats. Parsing is included; start-up, discovery
and output are not. To compare two checkouts, run each in turn with its own PYTHONPATH.
"""

from __future__ import annotations

import atexit
import sys
import time


def main() -> None:
    repeats = int(sys.argv.pop(1))
    import linter.scheduler as scheduler
    from linter.cli import main as lockjaw
    from linter.engine import analyse_loaded

    fastest, first = [0.0], [0.0]

    def in_process(prepared, rules, settings):
        for work in prepared:
            if work.result is not None:
                yield work, work.result
                continue
            times, result = [], None
            for _ in range(repeats):
                start = time.process_time()
                found = analyse_loaded(work.loaded, rules, work.rules, settings)
                times.append(time.process_time() - start)
                result = result or found
            fastest[0] += min(times)
            first[0] += times[0]
            yield work, work.finish(result)

    scheduler._in_process = in_process
    atexit.register(lambda: print(f"analysis CPU, fastest of {repeats} per package: {fastest[0]:.3f} s "
                                  f"(first runs: {first[0]:.3f} s)", file=sys.stderr))
    sys.argv = ["lockjaw", *sys.argv[1:]]
    lockjaw()


if __name__ == "__main__":
    main()
