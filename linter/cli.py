"""The command line. No analysis here: parse options, run the engine, write the report."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Sequence

import click

from linter import __version__, interrupt
from linter.atomic import write_atomically

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _rules():
    from rules import ALL_RULES

    return ALL_RULES


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip().upper() for value in values for v in value.split(",") if v.strip()]


def select_rules(select: Sequence[str], ignore: Sequence[str]):
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


def load_settings(paths, config: str | None, isolated: bool):
    """The run's configuration (lockjaw.toml, .lockjaw.toml or [tool.lockjaw]); errors exit 2."""
    from linter.config import ConfigError, load

    if config and isolated:
        raise click.UsageError("--config and --isolated cannot be used together")
    try:
        return load(list(paths), Path.cwd(), config=config, isolated=isolated,
                    known_rules=[r.meta.id for r in _rules()])
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


def config_options(command):
    """--config FILE and --isolated, shared by `check` and `config`."""
    command = click.option("--isolated", is_flag=True, help="Ignore every configuration file.")(command)
    return click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Read the configuration from FILE instead of searching for one.")(command)


def _use_color(choice: str, output: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output or os.environ.get("NO_COLOR"):  # no-color.org: set and not empty
        return False
    return sys.stdout.isatty()


class _Scheduling:
    """--jobs, the cache and the progress bar: how the engine runs, never what it finds."""

    def __init__(self, rules, settings, jobs: int | None, no_cache: bool, cache_dir: str | None, *,
                 show_progress: bool, no_skip: bool = False):
        from linter.scheduler import default_jobs

        self.cache = None
        if not no_cache:
            from linter.cache import Cache, default_dir

            directory = Path(cache_dir) if cache_dir else default_dir()
            options = settings.cache_key() + (" no-skip" if no_skip else "")  # all else that decides results
            self.cache = Cache.open(directory, rule_ids=[r.meta.id for r in rules], options=options.encode())
        self.progress = None
        if show_progress and sys.stderr.isatty():
            from linter.progress import ProgressBar

            self.progress = ProgressBar()
        self.options = {"jobs": jobs or default_jobs(), "cache": self.cache, "progress": self.progress,
                        "prefilter": not no_skip}

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
        if self.cache is not None:  # also after an early exit (--write-baseline): entries are sound
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
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report only findings not recorded in FILE (see --write-baseline).")
@click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record all current findings in FILE and exit 0.")
@click.option("--new-from-rev", metavar="REV", help="Report only findings on lines changed since git revision REV.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (Lock(); defer Unlock()) and report what remains.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff and change nothing; exit 1 if there is a fix.")
@config_options
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for large scans [default: the number of CPUs].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached results.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Cache directory [default: $LOCKJAW_CACHE_DIR, $XDG_CACHE_HOME/lockjaw or ~/.cache/lockjaw].")
@click.option("--no-skip", is_flag=True, hidden=True,
              help="Parse every package, even where no rule can fire (to check that skipping loses nothing).")
@click.option("--stats", is_flag=True, hidden=True, help="Print the run's counters as one JSON line on stderr.")
def check(paths, fmt, output, select, ignore, exit_zero, color, statistics, quiet,
          baseline, write_baseline, new_from_rev, fix, show_diff, config_file, isolated,
          jobs, no_cache, cache_dir, no_skip, stats) -> None:
    """Analyse Go files and directories (default: the current directory)."""
    from linter.discovery import find_repo_root
    from linter.output import OutputEnv, renderer

    if write_baseline and (fix or show_diff):
        raise click.UsageError("--write-baseline cannot be combined with --fix or --diff")
    settings = load_settings(paths, config_file, isolated)
    rules = select_rules(*settings.rule_selection(select, ignore))
    cwd = Path.cwd()
    with _Scheduling(rules, settings, jobs, no_cache, cache_dir, show_progress=not quiet, no_skip=no_skip) as how:
        analyse = _analysis(list(paths), rules, cwd, settings, baseline=None if write_baseline else baseline,
                            new_from_rev=new_from_rev, engine_options=how.options)
        report = analyse()
        if stats:
            how.print_stats(report)
        if write_baseline:
            _write_baseline(report, Path(write_baseline), cwd)
        if fix or show_diff:
            report = _apply_fixes(report, cwd, show_diff=show_diff, rerun=analyse)
    env = OutputEnv(
        rules=tuple(r.meta for r in rules), version=__version__, cwd=cwd, root=find_repo_root(cwd) or cwd,
        color=fmt == "text" and _use_color(color, output), show_source=not quiet, statistics=statistics,
        summary=not quiet,
    )
    text = renderer(fmt)(report, env)
    if output:
        try:
            write_atomically(Path(output), text.encode("utf-8"))
        except OSError as err:
            raise click.ClickException(f"cannot write {output}: {err.strerror or err}") from None
        if fmt != "text":
            for notice in report.notices:
                click.echo(notice.one_line(), err=True)
    else:
        click.echo(text, nl=False, color=env.color)  # click strips ANSI codes off a pipe unless told
    code = report.exit_code
    click.get_current_context().exit(EXIT_OK if exit_zero and code == EXIT_FINDINGS else code)


# adoption and fixes: narrow the report after the engine ran, apply fixes ---------------------


def _collect_less_often() -> None:
    """The analysis allocates millions of small objects that live as long as their package (events,
    lock states, summaries), and with Python's default thresholds the cyclic garbage collector ran
    1,700 times on the standard library (0.4-0.55 s of 13 s of CPU). A package's facts are freed when
    its findings are out (Package.release), not by the collector, so collecting less often costs no
    memory (max RSS 162 MB either way with --jobs 1); worker processes inherit the setting."""
    import gc

    gc.set_threshold(10_000, 10, 10)


def _analysis(paths: list[str], rules, cwd: Path, settings, *, baseline: str | None, new_from_rev: str | None,
              engine_options: dict):
    """A function that runs the engine and drops baselined findings and findings on unchanged lines.

    Inputs are checked before the (slow) run: a bad baseline or revision fails at once.
    """
    from linter.engine import run

    def changes_since_rev():
        if not new_from_rev:
            return None
        from linter.gitdiff import GitError, changed_lines

        try:
            return changed_lines(new_from_rev, cwd)
        except GitError as err:
            raise click.ClickException(str(err)) from None

    known = None
    if baseline:  # imported only when used: start-up time counts in a pre-commit hook
        from linter import baseline as baselines

        try:
            known = baselines.load(Path(baseline), cwd)
        except baselines.BaselineError as err:
            raise click.ClickException(str(err)) from None
    first_changes = changes_since_rev()

    def analyse():
        nonlocal first_changes
        _collect_less_often()
        report = run(paths, rules, cwd=cwd, settings=settings, **engine_options)
        # after --fix the lines have moved: the rerun asks git again
        changes, first_changes = first_changes or changes_since_rev(), None
        if changes is not None:
            from linter.gitdiff import keep_changed

            keep_changed(report, changes, cwd)
        if known is not None:
            baselines.drop_known(report, Path(baseline), known, cwd)
        return report

    return analyse


def _write_baseline(report, path: Path, cwd: Path) -> None:
    from linter.baseline import BaselineError, write

    try:
        count = write(path, report, cwd)
    except BaselineError as err:
        raise click.ClickException(str(err)) from None
    for notice in report.notices:
        click.echo(notice.one_line(), err=True)
    click.echo(f"lockjaw: wrote {count} finding{'' if count == 1 else 's'} to baseline {path}", err=True)
    click.get_current_context().exit(EXIT_ERROR if report.exit_code == EXIT_ERROR else EXIT_OK)


def _apply_fixes(report, cwd: Path, *, show_diff: bool, rerun):
    """--diff: print the fixes and exit (1 if any); --fix: write them and analyse again."""
    from linter import fixes

    try:
        plan = fixes.plan(report.findings, cwd)
        if not show_diff:
            fixes.write(plan, cwd)
    except fixes.FixError as err:
        raise click.ClickException(str(err)) from None
    files = len(plan.changes)
    where = f"{files} file{'' if files == 1 else 's'}"
    found = f"{plan.findings_fixed} finding{'' if plan.findings_fixed == 1 else 's'}"
    if show_diff:
        click.echo(fixes.unified_diff(plan), nl=False)
        for notice in report.notices:
            click.echo(notice.one_line(), err=True)
        click.echo(f"lockjaw: {plan.fixes} fix{'' if plan.fixes == 1 else 'es'} for {found} in {where} "
                   f"(not applied); {plan.findings_unfixable} without a safe fix", err=True)
        code = EXIT_ERROR if report.exit_code == EXIT_ERROR else EXIT_FINDINGS if plan.fixes else EXIT_OK
        click.get_current_context().exit(code)
    if plan.changes:
        click.echo(f"Fixed {found} in {where}.", err=True)
        return rerun()
    return report


@cli.command(name="rules")
def list_rules() -> None:
    """List the rules with their default level and precision."""
    for rule in _rules():
        m = rule.meta
        click.echo(f"{m.id}  {m.name:<28} {m.level.value:<8} precision {m.precision.value:<9} {m.summary}")


@cli.command(name="config")
@click.argument("paths", nargs=-1, type=click.Path())
@config_options
def show_config(paths, config_file, isolated) -> None:
    """Print the effective configuration for PATHS (default: the current directory)."""
    settings = load_settings(paths, config_file, isolated)
    where = f"from {settings.source}" if settings.source else "defaults: no configuration file found"
    if isolated:
        where = "defaults: --isolated"
    rules = select_rules(*settings.rule_selection((), ()))
    click.echo(f"# lockjaw configuration ({where})")
    click.echo(f"# rules that run: {', '.join(r.meta.id for r in rules) or 'none'}")
    click.echo(settings.to_toml(), nl=False)


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
    interrupt.install()
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
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting: no traceback
        click.echo("lockjaw: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = EXIT_ERROR
    except Exception as err:  # a bug: say so in one line and fail the run
        from linter.engine import BUG_HINT

        click.echo(f"lockjaw: internal error: {type(err).__name__}: {err}; {BUG_HINT}", err=True)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
