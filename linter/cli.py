"""The command line. No analysis here: parse options, run the engine, write the report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from linter import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _rules():
    from rules import ALL_RULES

    return ALL_RULES


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip().upper() for value in values for v in value.split(",") if v.strip()]


def select_rules(select: tuple[str, ...], ignore: tuple[str, ...]):
    """Rules chosen by id or id prefix (`LJ1` selects LJ101..LJ199)."""
    all_rules = _rules()
    chosen = _split(select)
    dropped = _split(ignore)
    for code in chosen + dropped:
        if code != "ALL" and not any(r.meta.id.startswith(code) for r in all_rules):
            raise click.UsageError(f"unknown rule {code!r}; `lockjaw rules` lists them")

    def matches(rule, codes: list[str]) -> bool:
        return any(code == "ALL" or rule.meta.id.startswith(code) for code in codes)

    return tuple(r for r in all_rules if (not chosen or matches(r, chosen)) and not matches(r, dropped))


def _use_color(choice: str, output: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so an interrupted run never leaves half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class _Scheduling:
    """--jobs, the cache and the progress bar: how the engine runs, never what it finds."""

    def __init__(self, rules, jobs: int | None, no_cache: bool, cache_dir: str | None, *, show_progress: bool,
                 no_skip: bool = False):
        from linter.scheduler import default_jobs

        self.cache = None
        if not no_cache:
            from linter.cache import Cache, default_dir

            directory = Path(cache_dir) if cache_dir else default_dir()
            self.cache = Cache.open(directory, rule_ids=[r.meta.id for r in rules],
                                    options=b"no-skip" if no_skip else b"")
        self.progress = None
        if show_progress and sys.stderr.isatty():
            from linter.progress import ProgressBar

            self.progress = ProgressBar()
        self.options = {"jobs": jobs or default_jobs(), "cache": self.cache, "progress": self.progress}

    def print_stats(self, report) -> None:
        import json

        cache = self.cache
        counters = {"files_seen": report.files_seen, "files_parsed": report.files_parsed,
                    "findings": len(report.findings), "jobs": self.options["jobs"],
                    "cache_hits": cache.hits if cache else None, "cache_misses": cache.misses if cache else None}
        click.echo("lockjaw-stats: " + json.dumps(counters), err=True)

    def __enter__(self) -> "_Scheduling":
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.close()
        if self.cache is not None and exc[0] is None:
            self.cache.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="lockjaw", message="%(prog)s %(version)s")
def cli() -> None:
    """lockjaw: find locks held across panics, leaked locks and deadlocks in Go code."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--select", multiple=True, help="Only these rules (ids or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids or prefixes, comma-separated).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule.")
@click.option("-q", "--quiet", is_flag=True, help="Findings only: no source excerpts, no summary.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for large scans [default: the number of CPUs].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached results.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Cache directory [default: $LOCKJAW_CACHE_DIR, $XDG_CACHE_HOME/lockjaw or ~/.cache/lockjaw].")
@click.option("--no-skip", is_flag=True, hidden=True,
              help="Parse every package, even where no rule can fire (to check that skipping loses nothing).")
@click.option("--stats", is_flag=True, hidden=True, help="Print the run's counters as one JSON line on stderr.")
def check(paths, fmt, output, select, ignore, exit_zero, color, statistics, quiet,
          jobs, no_cache, cache_dir, no_skip, stats) -> None:
    """Analyse Go files and directories (default: the current directory)."""
    from linter.discovery import find_repo_root
    from linter.engine import run
    from linter.output import OutputEnv, renderer

    rules = select_rules(select, ignore)
    cwd = Path.cwd()
    with _Scheduling(rules, jobs, no_cache, cache_dir, show_progress=not quiet, no_skip=no_skip) as scheduling:
        report = run(list(paths), rules, cwd=cwd, prefilter=not no_skip, **scheduling.options)
    if stats:
        scheduling.print_stats(report)
    env = OutputEnv(
        rules=tuple(r.meta for r in rules), version=__version__, cwd=cwd, root=find_repo_root(cwd) or cwd,
        color=fmt == "text" and _use_color(color, output), show_source=not quiet, statistics=statistics,
    )
    text = renderer(fmt)(report, env)
    if output:
        try:
            write_atomically(Path(output), text)
        except OSError as err:
            raise click.ClickException(f"cannot write {output}: {err.strerror or err}") from None
        if fmt != "text":
            for notice in report.notices:
                click.echo(notice.one_line(), err=True)
    else:
        click.echo(text, nl=False, color=env.color)
    code = report.exit_code
    click.get_current_context().exit(EXIT_OK if exit_zero and code == EXIT_FINDINGS else code)


@cli.command(name="rules")
def list_rules() -> None:
    """List the rules with their default level and precision."""
    for rule in _rules():
        m = rule.meta
        click.echo(f"{m.id}  {m.name:<28} {m.level.value:<8} precision {m.precision.value:<9} {m.summary}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Print one rule's documentation (by id or name)."""
    from linter.output.docs import rule_markdown

    for rule in _rules():
        if rule_id.upper() == rule.meta.id or rule_id == rule.meta.name:
            click.echo(rule_markdown(rule.meta, heading="#"))
            return
    raise click.UsageError(f"unknown rule {rule_id!r}; `lockjaw rules` lists them")


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors and documented exit codes, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="lockjaw", standalone_mode=False)
    except click.UsageError as err:
        hint = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
        click.echo(f"lockjaw: error: {err.format_message()}{hint}", err=True)
        code = EXIT_ERROR
    except click.ClickException as err:
        click.echo(f"lockjaw: error: {err.format_message()}", err=True)
        code = EXIT_ERROR
    except (KeyboardInterrupt, click.Abort):
        click.echo("lockjaw: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = EXIT_ERROR
    except Exception as err:  # a bug: say so in one line and fail the run
        from linter.engine import BUG_HINT

        click.echo(f"lockjaw: internal error: {type(err).__name__}: {err}; {BUG_HINT}", err=True)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
