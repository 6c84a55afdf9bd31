"""Configuration files, through the command line: where they are found, what each key does, and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.cli import main
from linter.config import DEFAULT, HandlerType, find_config, load, read
from linter.engine import run
from linter.model import Level
from linter.rule import Rule
from rules import ALL_RULES, BY_ID
from tests.test_cli import HANDLER, lockjaw

KNOWN = list(BY_ID)


def findings(result) -> list[tuple[str, int, str]]:
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# finding the file ---------------------------------------------------------------------------------


def test_found_by_walking_up_from_the_scanned_path(tmp_path: Path) -> None:
    write(tmp_path, {"lockjaw.toml": 'ignore = ["LJ101"]\n', "svc/api/store.go": HANDLER})
    assert lockjaw("check", "svc/api", cwd=tmp_path).returncode == 0
    assert lockjaw("check", "store.go", cwd=tmp_path / "svc" / "api").returncode == 0
    assert lockjaw("check", "--isolated", "svc/api", cwd=tmp_path).returncode == 1


def test_precedence_in_one_directory_and_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": '[tool.lockjaw]\nignore = ["LJ1"]\n',
        "lockjaw.toml": "select = []\n",
        ".lockjaw.toml": 'exclude = ["gen/"]\n',
        "sub/pyproject.toml": "[project]\nname = 'x'\n",  # no [tool.lockjaw]: skipped
    })
    assert find_config(tmp_path / "sub") == tmp_path / ".lockjaw.toml"
    (tmp_path / ".lockjaw.toml").unlink()
    assert find_config(tmp_path / "sub") == tmp_path / "lockjaw.toml"
    (tmp_path / "lockjaw.toml").unlink()
    assert find_config(tmp_path / "sub") == tmp_path / "pyproject.toml"
    assert load(["sub"], tmp_path, known_rules=KNOWN).ignore == ("LJ1",)


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "svc"\n\n[tool.lockjaw]\nignore = ["LJ101"]\n',
                     "store.go": HANDLER})
    assert lockjaw("check", ".", cwd=tmp_path).returncode == 0
    shown = lockjaw("config", cwd=tmp_path).stdout
    assert f"from {tmp_path / 'pyproject.toml'}" in shown and 'ignore = ["LJ101"]' in shown


def test_config_option_and_isolated(tmp_path: Path) -> None:
    write(tmp_path, {"ci/strict.toml": 'ignore = ["LJ101"]\n', "store.go": HANDLER})
    assert lockjaw("check", "--config", "ci/strict.toml", ".", cwd=tmp_path).returncode == 0
    assert lockjaw("check", ".", cwd=tmp_path).returncode == 1  # not found by the walk
    both = lockjaw("check", "--config", "ci/strict.toml", "--isolated", cwd=tmp_path)
    assert both.returncode == 2 and "--config and --isolated cannot be used together" in both.stderr
    missing = lockjaw("check", "--config", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.toml: no such configuration file" in missing.stderr


# what each key does -------------------------------------------------------------------------------


def test_exclude_is_gitignore_style_relative_to_the_file_and_applies_to_named_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "lockjaw.toml": 'exclude = ["gen/", "*_mock.go", "/legacy.go"]\n',
        "gen/store.go": HANDLER, "api/gen/store.go": HANDLER, "api/store_mock.go": HANDLER,
        "legacy.go": HANDLER, "api/legacy.go": HANDLER, "api/store.go": HANDLER,
    })
    expected = [("api/legacy.go", 15, "LJ101"), ("api/store.go", 15, "LJ101")]
    assert findings(lockjaw("check", "--format", "json", cwd=tmp_path)) == expected
    named = lockjaw("check", "--format", "json", "gen/store.go", "api/store_mock.go", "api/store.go", cwd=tmp_path)
    assert findings(named) == [("api/store.go", 15, "LJ101")]
    # From a subdirectory the patterns stay relative to the configuration file's directory.
    assert findings(lockjaw("check", "--format", "json", ".", cwd=tmp_path / "api")) == [
        ("legacy.go", 15, "LJ101"), ("store.go", 15, "LJ101")]


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path, {
        "lockjaw.toml": '[per-file-ignores]\n"legacy/*.go" = ["LJ101"]\n"*_gen.go" = ["LJ1"]\n',
        "legacy/store.go": HANDLER, "api/store_gen.go": HANDLER, "api/store.go": HANDLER,
    })
    assert findings(lockjaw("check", "--format", "json", cwd=tmp_path)) == [("api/store.go", 15, "LJ101")]


MUST = """\
package svc

import (
	"net/http"
	"sync"

	"github.com/acme/web"
)

type Store struct {
	mu    sync.Mutex
	items map[string]string
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func (s *Store) Save(c *web.Context) {
	s.mu.Lock()
	errs.Check(c.Err())
	s.mu.Unlock()
}

func (s *Store) Load(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.items["k"] = r.URL.Path
	s.mu.Unlock()
}
"""


def test_extra_panic_functions_and_handler_types(tmp_path: Path) -> None:
    write(tmp_path, {"svc.go": MUST})
    assert lockjaw("check", "--format", "json", ".", cwd=tmp_path).returncode == 0
    (tmp_path / "lockjaw.toml").write_text(
        'extra-panic-functions = ["errs.Check"]\n'
        'handler-types = [{ package = "github.com/acme/web", type = "*Context" }]\n'
    )
    result = lockjaw("check", "--format", "json", ".", cwd=tmp_path)
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["line"], finding["level"]) == (23, "error")  # in a handler: an error, not a warning
    assert finding["message"].startswith("errs.Check() can panic (explicit panic)")
    (tmp_path / "lockjaw.toml").write_text('extra-panic-functions = ["errs.Check"]\n')
    (finding,) = json.loads(lockjaw("check", "--format", "json", ".", cwd=tmp_path).stdout)["findings"]
    assert finding["level"] == "warning"


def test_lock_helpers_reach_the_package(tmp_path: Path) -> None:
    write(tmp_path, {"lockjaw.toml": 'lock-helpers = ["lockAll", "store.withLock"]\n', "svc.go": MUST})
    settings = load(["."], tmp_path, known_rules=KNOWN)
    assert settings.lock_helpers == ("lockAll", "store.withLock")
    seen = []
    probe = Rule(BY_ID["LJ101"].meta, lambda ctx: seen.append(ctx.package.lock_helpers))
    run(["."], [probe], cwd=tmp_path, settings=settings)
    assert seen == [frozenset({"lockAll", "store.withLock"})]


def test_lock_order_depth_bounds_the_calls_lj106_follows(tmp_path: Path) -> None:
    deep = (Path(__file__).parent.parent / "fixtures" / "LJ106" / "call_depth.go").read_text()
    write(tmp_path, {"store.go": deep})
    lines = lambda: [f[1] for f in findings(lockjaw("check", "--format", "json", "--select", "LJ106", cwd=tmp_path))]
    assert lines() == [23]  # three calls down; the seven-call chain is past the default depth (6)
    (tmp_path / "lockjaw.toml").write_text("lock-order-depth = 7\n")
    assert lines() == [23, 55]
    (tmp_path / "lockjaw.toml").write_text("lock-order-depth = 2\n")
    assert lines() == []


def test_select_and_ignore_combine_with_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"lockjaw.toml": 'ignore = ["LJ101"]\n', "store.go": HANDLER,
                     "quiet.go": "package store\n\n//lockjaw:ignore LJ101\nvar x = 1\n"})
    # The file ignores LJ101; LJ900 still runs (and finds the reasonless suppression).
    assert findings(lockjaw("check", "--format", "json", cwd=tmp_path)) == [("quiet.go", 3, "LJ900")]
    # --select on the command line starts over, as in ruff.
    assert findings(lockjaw("check", "--format", "json", "--select", "LJ101", cwd=tmp_path)) == [
        ("store.go", 15, "LJ101")]
    # --ignore on the command line adds to the file's ignore.
    assert lockjaw("check", "--format", "json", "--ignore", "LJ900", cwd=tmp_path).returncode == 0
    (tmp_path / "lockjaw.toml").write_text('select = ["LJ101"]\n')
    assert findings(lockjaw("check", "--format", "json", cwd=tmp_path)) == [("store.go", 15, "LJ101")]
    assert lockjaw("check", "--format", "json", "--ignore", "LJ1", cwd=tmp_path).returncode == 0


# lockjaw config --------------------------------------------------------------------------------------

FULL = """\
select = ["LJ1", "LJ900"]
ignore = ["LJ102"]
exclude = ["gen/", "*.pb.go"]
extra-panic-functions = ["must", "assert.True"]
lock-helpers = ["withLock"]
lock-order-depth = 8
handler-types = [{ package = "github.com/acme/web", type = "*Context" }, { package = "example.com/rpc", type = "Call" }]

[per-file-ignores]
"legacy/*.go" = ["LJ101"]
"""


def test_config_command_prints_the_effective_configuration_which_loads_back(tmp_path: Path) -> None:
    write(tmp_path, {"lockjaw.toml": FULL.replace('"LJ102"', '"LJ101"')})
    result = lockjaw("config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"# lockjaw configuration (from {tmp_path / 'lockjaw.toml'})"
    expected = [r.meta.id for r in ALL_RULES if r.meta.id.startswith(("LJ1", "LJ900")) and r.meta.id != "LJ101"]
    assert lines[1] == f"# rules that run: {', '.join(expected)}"
    (tmp_path / "again.toml").write_text(result.stdout)
    original = read(tmp_path / "lockjaw.toml", known_rules=KNOWN)
    again = read(tmp_path / "again.toml", known_rules=KNOWN)
    assert original.handler_types == (HandlerType("github.com/acme/web", "*Context"), HandlerType("example.com/rpc", "Call"))
    assert [getattr(again, f) for f in FIELDS] == [getattr(original, f) for f in FIELDS]


FIELDS = ("select", "ignore", "exclude", "per_file_ignores", "handler_types", "extra_panic_functions", "lock_helpers",
          "lock_order_depth")


def test_config_command_without_a_file(tmp_path: Path) -> None:
    result = lockjaw("config", cwd=tmp_path)
    assert result.stdout.startswith("# lockjaw configuration (defaults: no configuration file found)\n")
    assert f"# rules that run: {', '.join(r.meta.id for r in ALL_RULES)}" in result.stdout
    assert lockjaw("config", "--isolated", cwd=tmp_path).stdout.startswith("# lockjaw configuration (defaults: --isolated)")


# errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("selct = []", "lockjaw.toml: selct: unknown key (did you mean 'select'?); known keys: select, ignore,"),
        ('select = "LJ101"', "lockjaw.toml: select: expected an array of rule ids, got a string"),
        ("ignore = [101]", "lockjaw.toml: ignore: expected an array of rule ids, got an integer in it"),
        ('select = ["LJ999"]', "lockjaw.toml: select: unknown rule 'LJ999'; `lockjaw rules` lists them"),
        ('select = ["E501"]', "lockjaw.toml: select: 'E501' is not a rule id"),
        ("exclude = 'gen/'", "lockjaw.toml: exclude: expected an array of patterns, got a string"),
        ('exclude = [""]', "lockjaw.toml: exclude: '' is not a pattern"),
        ("per-file-ignores = []", "lockjaw.toml: per-file-ignores: expected a table of pattern = [rule ids], got an array"),
        ('per-file-ignores = { "a.go" = ["X1"] }', 'lockjaw.toml: per-file-ignores."a.go": \'X1\' is not a rule id'),
        ('handler-types = ["*web.Context"]', "lockjaw.toml: handler-types[0]: expected a table { package = ..., type = ... }, got a string"),
        ('handler-types = [{ package = "a/b", typ = "C" }]', "lockjaw.toml: handler-types[0].typ: unknown key (did you mean 'type'?)"),
        ('handler-types = [{ package = "a/b" }]', "lockjaw.toml: handler-types[0]: missing 'type'"),
        ('handler-types = [{ package = "a/b", type = "web.C" }]', "lockjaw.toml: handler-types[0].type: 'web.C' is not a type name"),
        ('extra-panic-functions = ["must()"]', "lockjaw.toml: extra-panic-functions: 'must()' is not a function name"),
        ("lock-helpers = true", "lockjaw.toml: lock-helpers: expected an array of function names"),
        ('lock-order-depth = "6"', "lockjaw.toml: lock-order-depth: expected a number of calls, got a string"),
        ("lock-order-depth = 0", "lockjaw.toml: lock-order-depth: expected a number of calls, at least 1, got 0"),
        ("select = [", "lockjaw.toml: invalid TOML: "),
    ],
)
def test_bad_configuration_exits_2_naming_file_and_key(
    tmp_path: Path, text: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"lockjaw.toml": text + "\n", "store.go": HANDLER})
    monkeypatch.chdir(tmp_path)
    for command in ("check", "config"):  # in process, through the same entry point as the command
        with pytest.raises(SystemExit) as exit_:
            main([command])
        err = capsys.readouterr().err
        assert exit_.value.code == 2, err
        assert err.startswith(f"lockjaw: error: {message}"), err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_pyproject_errors_name_the_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.lockjaw]\nselect = "LJ101"\n'})
    result = lockjaw("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lockjaw: error: pyproject.toml: tool.lockjaw.select: expected an array")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "pyproject.toml").write_text("[project]\n")
    missing = lockjaw("check", "--config", "nested/pyproject.toml", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("lockjaw: error: nested/pyproject.toml: no [tool.lockjaw] table")


def test_default_settings_change_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"store.go": HANDLER})
    rules = [BY_ID["LJ101"]]
    assert run(["."], rules, cwd=tmp_path, settings=DEFAULT).findings == run(["."], rules, cwd=tmp_path).findings
    assert run(["."], rules, cwd=tmp_path).findings[0].level is Level.ERROR


def test_readme_example_is_a_valid_configuration(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme[readme.index("## Configuration"):]
    start = section.index("```toml\n") + len("```toml\n")
    example = section[start:section.index("```", start)]
    (tmp_path / "lockjaw.toml").write_text(example)
    settings = read(tmp_path / "lockjaw.toml", known_rules=KNOWN)
    assert settings.exclude and settings.per_file_ignores and settings.handler_types


ACQUIRE_HELPER = """\
package svc

import "sync"

type Store struct {
	mu    sync.Mutex
	items []int
}

// grab takes s.mu for its caller, which unlocks it: a lock helper lockjaw cannot tell by name.
func (s *Store) grab() {
	s.mu.Lock()
}

func (s *Store) Len() int {
	s.grab()
	defer s.mu.Unlock()
	return len(s.items)
}
"""


def test_configured_lock_helper_is_not_a_leak(tmp_path: Path) -> None:
    write(tmp_path, {"svc.go": ACQUIRE_HELPER})
    leaked = lockjaw("check", "--select", "LJ102", "--format", "json", ".", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in json.loads(leaked.stdout)["findings"]] == [("LJ102", 13)]
    write(tmp_path, {"lockjaw.toml": 'lock-helpers = ["Store.grab"]\n'})
    helped = lockjaw("check", "--select", "LJ102", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(helped.stdout)["findings"] == [], helped.stdout
