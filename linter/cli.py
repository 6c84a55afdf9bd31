"""The command line. No analysis here: parse options, run the engine, write the report."""

from __future__ import annotations

import os
import signal
import stat
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
    """Write via a temporary file and rename, so an interrupted run never leaves half a report.

    A symbolic link is followed (the link stays a link); a target that is not a
    regular file, such as /dev/stdout or a pipe, is written in place: renaming
    over it would replace the device with a file.
    """
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with path.open("w", encoding="utf-8") as out:
            out.write(text)
        return
    path = Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


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
def check(paths, fmt, output, select, ignore, exit_zero, color, statistics, quiet) -> None:
    """Analyse Go files and directories (default: the current directory)."""
    from linter.discovery import find_repo_root
    from linter.engine import run
    from linter.output import OutputEnv, renderer

    rules = select_rules(select, ignore)
    cwd = Path.cwd()
    report = run(list(paths), rules, cwd=cwd)
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
        click.echo(text, nl=False)
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
