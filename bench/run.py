"""lockjaw's benchmark: Go's standard library, cold and cached, one file, and the corpus 2x and 4x.

    python3 bench/run.py            # the whole benchmark (a few minutes)
    python3 bench/run.py --quick    # without the 2x and 4x copies

On a fresh machine it installs what it needs first: Debian's golang-src (the
corpus, via apt-get) and, if lockjaw's dependencies are not importable, a
virtual environment in the work directory with lockjaw installed from this
checkout. lockjaw always runs as the command line does, in a new process,
start-up included. Each timed row is the fastest of --repeat runs (as timeit reports: on a shared
machine the slower runs measure the other load), with the highest peak memory.

The yardstick is one process that reads and parses every file with
tree-sitter and does nothing else, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_GLOBS = ("/usr/share/go-1.19/src", "/usr/share/go-*/src", "/usr/lib/go-*/src", "/usr/share/go/src")
ONE_FILES = ("sync/mutex.go", "net/http/server.go")  # a small package, and the largest handler package

TARGETS = {"cold": 2.0, "warm": 0.5, "one": 0.25, "memory_mb": 200.0, "parse_ratio": 5.0}


# setting up ---------------------------------------------------------------------------------


def find_corpus() -> Path | None:
    import glob

    for pattern in CORPUS_GLOBS:
        for hit in sorted(glob.glob(pattern), reverse=True):
            if (Path(hit) / "sync" / "mutex.go").is_file():
                return Path(hit)
    return None


def install_corpus() -> Path:
    corpus = find_corpus()
    if corpus is not None:
        return corpus
    print("installing the corpus: apt-get install -y golang-src", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "golang-src"], env=env).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "golang-src"], env=env, check=True)
    corpus = find_corpus()
    if corpus is None:
        sys.exit("golang-src is installed but no Go source tree was found under /usr/share or /usr/lib")
    return corpus


def ensure_dependencies(work: Path) -> None:
    """Re-run inside a virtual environment with lockjaw installed if this Python lacks its dependencies."""
    try:
        import click  # noqa: F401
        import tree_sitter  # noqa: F401
        import tree_sitter_go  # noqa: F401
    except ImportError:
        if os.environ.get("LOCKJAW_BENCH_VENV"):
            sys.exit("the benchmark's virtual environment still lacks lockjaw's dependencies")
        venv = work / "venv"
        python = venv / "bin" / "python"
        if not python.exists():
            print(f"creating {venv} with lockjaw and its dependencies", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], check=True)
        env = {**os.environ, "LOCKJAW_BENCH_VENV": "1"}
        os.execve(str(python), [str(python), *sys.argv], env)


def lockjaw_env() -> dict[str, str]:
    """Run the checkout's code, with byte-code caching on, as an installed lockjaw would."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "LOCKJAW_CACHE_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    env["NO_COLOR"] = "1"
    return env


def compile_checkout() -> None:
    import compileall

    for package in ("linter", "rules"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def copies(corpus: Path, work: Path, times: int) -> Path:
    """`times` copies of the corpus side by side, made once."""
    target = work / f"corpus-{times}x"
    done = target / ".complete"
    if not done.exists():
        shutil.rmtree(target, ignore_errors=True)
        for i in range(times):
            shutil.copytree(corpus, target / f"copy{i + 1}" / "src", symlinks=True)
        done.write_text("")
    return target


# measuring ----------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared between forked workers count once in total."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    stdout: str
    stats: dict = field(default_factory=dict)


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Wall and CPU time (with all worker processes) and peak memory (PSS of the process tree)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sum(_pss_kb(p) for p in _descendants(proc.pid)))
            stop.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{stderr}")
    stats = {}
    for line in stderr.splitlines():
        if line.startswith("lockjaw-stats: "):
            stats = json.loads(line.split(": ", 1)[1])
    return Run(wall, cpu, peak / 1024, stdout, stats)


def best_run(runs: list[Run]) -> Run:
    """The fastest run (as timeit does: slower ones measure other load on the machine),
    with the highest peak memory of all."""
    best = min(runs, key=lambda r: r.wall)
    return Run(best.wall, best.cpu, max(r.peak_mb for r in runs), best.stdout, best.stats)


def lockjaw(args: list[str], cwd: Path, repeat: int, env: dict[str, str]) -> Run:
    cmd = [sys.executable, "-m", "linter", "check", "--format", "json", "--stats", *args]
    return best_run([measure(cmd, cwd, env) for _ in range(repeat)])


def parse_all(root: Path, considered: bool, repeat: int, env: dict[str, str]) -> dict:
    """The yardstick, timed inside its process (reading and parsing only, no start-up)."""
    cmd = [sys.executable, str(ROOT / "bench" / "parse_all.py"), str(root)] + (["--considered"] if considered else [])
    runs = [measure(cmd, root, env) for _ in range(repeat)]
    results = [json.loads(run.stdout) for run in runs]
    result = min(results, key=lambda r: r["seconds"])
    result["peak_mb"] = max(run.peak_mb for run in runs)
    return result


def seen_bytes(root: Path, paths: list[str]) -> int:
    from linter.discovery import discover

    files, _ = discover(paths, root)
    return sum(f.path.stat().st_size for f in files)


def findings(run: Run) -> list:
    return json.loads(run.stdout)["findings"]


# reporting ----------------------------------------------------------------------------------


def row(name: str, files: int, size: int, parsed, found, wall: float, cpu: float, peak: float) -> str:
    parsed_text = "" if parsed is None else f"{parsed:,}"
    found_text = "" if found is None else f"{found:,}"
    return (f"| {name} | {files:,} | {size / 1e6:.1f} MB | {parsed_text} | {found_text} | "
            f"{wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB |")


def lockjaw_row(name: str, run: Run, size: int) -> str:
    s = run.stats
    return row(name, s.get("files_seen", 0), size, s.get("files_parsed"), s.get("findings"), run.wall, run.cpu,
               run.peak_mb)


def parse_row(name: str, p: dict) -> str:
    return row(name, p["files"], p["bytes"], p["files"], None, p["seconds"], p["cpu_seconds"], p["peak_mb"])


def busy_seconds() -> float:
    """CPU time spent by everything on the machine so far (user, nice, system, irq, steal)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def ours_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime


def machine() -> list[str]:
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return [
        f"date: {datetime.now(timezone.utc).astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}",
        f"python: {platform.python_version()}; load average before the run: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "memory:\n" + free,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/lockjaw-bench"), help="scratch directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed row (the fastest is shown)")
    parser.add_argument("--quick", action="store_true", help="skip the 2x and 4x copies")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    ensure_dependencies(args.work)
    sys.path.insert(0, str(ROOT))
    corpus = install_corpus()
    compile_checkout()
    env = lockjaw_env()
    cache = args.work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    print("\n".join(machine()), flush=True)
    started, busy_before, ours_before = time.perf_counter(), busy_seconds(), ours_seconds()
    print(f"corpus: {corpus}\n", flush=True)
    lines = ["| run | files seen | bytes seen | files parsed | findings | wall | CPU | peak memory |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    stdlib_bytes = seen_bytes(corpus, ["."])

    base_all = parse_all(corpus, False, args.repeat, env)
    base_seen = parse_all(corpus, True, args.repeat, env)
    lines.append(parse_row("parse every .go file, 1 process (yardstick)", base_all))
    lines.append(parse_row("parse the files lockjaw considers, 1 process", base_seen))
    cold = lockjaw(["--no-cache", "."], corpus, args.repeat, env)
    lines.append(lockjaw_row("**lockjaw, standard library, cold** (`--no-cache`)", cold, stdlib_bytes))
    lockjaw(["--cache-dir", str(cache), "."], corpus, 1, env)  # fill the cache
    warm = lockjaw(["--cache-dir", str(cache), "."], corpus, args.repeat, env)
    lines.append(lockjaw_row("**lockjaw, standard library, unchanged re-run** (cache)", warm, stdlib_bytes))
    no_skip = lockjaw(["--no-cache", "--no-skip", "."], corpus, 1, env)
    lines.append(lockjaw_row("lockjaw, standard library, no skipping (`--no-skip --no-cache`)", no_skip,
                             stdlib_bytes))
    serial = lockjaw(["--no-cache", "--jobs", "1", "."], corpus, 1, env)
    lines.append(lockjaw_row("lockjaw, standard library, cold, one process (`--jobs 1`)", serial, stdlib_bytes))
    ones = []
    for name in ONE_FILES:
        one = lockjaw(["--no-cache", name], corpus, max(args.repeat, 5), env)
        ones.append(one)
        lines.append(lockjaw_row(f"**lockjaw, one file** `{name}` (`--no-cache`)", one,
                                 seen_bytes(corpus, [name])))
    scaled = {}
    if not args.quick:
        for times in (2, 4):
            tree = copies(corpus, args.work, times)
            yard = parse_all(tree, False, args.repeat, env)
            run = lockjaw(["--no-cache", "."], tree, args.repeat, env)
            scaled[times] = (yard, run)
            lines.append(parse_row(f"parse every .go file, corpus {times}x", yard))
            lines.append(lockjaw_row(f"lockjaw, corpus {times}x, cold", run, seen_bytes(tree, ["."])))
    print("\n".join(lines))
    elapsed = time.perf_counter() - started
    others = max(0.0, busy_seconds() - busy_before - (ours_seconds() - ours_before))
    print(f"\nother processes used {others:.0f} CPU-seconds during the {elapsed:.0f} s of the benchmark "
          f"({others / elapsed:.2f} of the {os.cpu_count()} CPUs); load average after: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    same_cache = findings(cold) == findings(warm)
    same_skip = findings(cold) == findings(no_skip)
    same_jobs = cold.stdout == serial.stdout
    print()
    print(f"findings identical with the cache and with --no-cache: {'yes' if same_cache else 'NO'}")
    print(f"findings identical with skipping and with --no-skip:    {'yes' if same_skip else 'NO'}")
    print(f"output byte-identical with --jobs 1 and the default:    {'yes' if same_jobs else 'NO'}")
    print()
    ratio = base_all["seconds"] / cold.wall
    checks = [
        (f"standard library cold under {TARGETS['cold']} s wall", cold.wall < TARGETS["cold"], f"{cold.wall:.2f} s"),
        (f"cold at most 1/{TARGETS['parse_ratio']:.0f} of parsing everything", ratio >= TARGETS["parse_ratio"],
         f"{cold.wall:.2f} s is {cold.wall / base_all['seconds']:.2f} times the {base_all['seconds']:.2f} s of parsing"
         f" everything (at most {1 / TARGETS['parse_ratio']:.2f} wanted)"),
        (f"unchanged re-run under {TARGETS['warm']} s", warm.wall < TARGETS["warm"], f"{warm.wall:.2f} s"),
        *[(f"one file ({name}) under {TARGETS['one']} s", one.wall < TARGETS["one"], f"{one.wall:.2f} s")
          for name, one in zip(ONE_FILES, ones)],
        (f"peak memory under {TARGETS['memory_mb']:.0f} MB", cold.peak_mb < TARGETS["memory_mb"],
         f"{cold.peak_mb:.0f} MB"),
        ("findings identical (cache, skipping, jobs)", same_cache and same_skip and same_jobs, ""),
    ]
    for times, (yard, run) in scaled.items():  # CPU time: wall time on a shared machine measures the others
        growth = run.cpu / cold.cpu
        checks.append((f"cost linear: corpus {times}x takes at most {times * 1.25:.1f}x the CPU time",
                       growth <= times * 1.25, f"{growth:.2f}x CPU, {run.wall / cold.wall:.2f}x wall"))
    for what, ok, detail in checks:
        print(f"[{'met' if ok else 'NOT MET'}] {what}" + (f": {detail}" if detail else ""))


if __name__ == "__main__":
    main()
