"""Config files: discovery, validation, per-file globs, waivers and ``config show``."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qc.cli import config_cmd
from qc.cli._parsing import Parser
from qc.config import (
    Config,
    ConfigFinder,
    PerFile,
    Waiver,
    apply_waivers,
    find_config,
    glob_matches,
    load_config,
)
from qc.diagnostic import Diagnostic, Severity
from qc.errors import ProfileError, UsageError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- discovery ---------------------------------------------------------------


def test_mixdesk_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.mixdesk]\nprofile = "spotify"\n')
    own = write(tmp_path / "mixdesk.toml", 'profile = "tidal"\n')
    assert find_config(tmp_path) == own
    assert load_config(start=tmp_path).profiles == ("tidal",)


def test_nearest_folder_wins(tmp_path: Path) -> None:
    write(tmp_path / "mixdesk.toml", 'profile = "tidal"\n')
    inner = write(tmp_path / "album" / "pyproject.toml", '[tool.mixdesk]\nprofile = "spotify"\n')
    deep = tmp_path / "album" / "disc1" / "stems"
    deep.mkdir(parents=True)
    assert find_config(deep) == inner
    config = load_config(start=deep)
    assert (config.path, config.root, config.profiles) == (inner, inner.parent, ("spotify",))


def test_start_may_be_a_file(tmp_path: Path) -> None:
    own = write(tmp_path / "mixdesk.toml", "")
    assert find_config(tmp_path / "mix.wav") == own  # need not exist


def test_pyproject_without_tool_table_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "mixdesk.toml", 'fail-level = "warning"\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\n')
    assert find_config(tmp_path / "sub") == outer
    assert load_config(start=tmp_path / "sub").fail_level == "warning"


def test_no_config_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if find_config(tmp_path) is not None:
        pytest.skip("a config file above the temporary folder")
    config = load_config(start=tmp_path)
    assert config == Config(path=None, root=tmp_path)
    assert (config.profiles, config.select, config.ignore, config.fail_level) == (
        ("default",),
        (),
        (),
        "error",
    )
    monkeypatch.chdir(tmp_path)
    assert load_config().root == Path(os.getcwd())


def test_explicit_pyproject_uses_tool_table(tmp_path: Path) -> None:
    path = write(tmp_path / "conf" / "pyproject.toml", '[tool.mixdesk]\nselect = ["tp"]\n')
    config = load_config(path)
    assert (config.path, config.select) == (path, ("TP",))
    bare = write(tmp_path / "other" / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ProfileError, match=r"pyproject\.toml: no \[tool\.mixdesk\] table"):
        load_config(bare)


def test_explicit_path_skips_discovery(tmp_path: Path) -> None:
    write(tmp_path / "mixdesk.toml", 'profile = "tidal"\n')
    other = write(tmp_path / "ci" / "strict.toml", 'fail-level = "info"\n')
    config = load_config(other, start=tmp_path)
    assert (config.path, config.fail_level, config.profiles) == (other, "info", ("default",))


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope\.toml: no such config file"):
        load_config(tmp_path / "nope.toml")


# --- profiles ----------------------------------------------------------------


def test_profile_paths_are_relative_to_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "proj" / "profiles" / "club.toml", 'extends = "default"\n')
    write(
        tmp_path / "proj" / "mixdesk.toml",
        """\
        profile = ["spotify", "profiles/club.toml", "spotify"]
        [[per-file]]
        glob = "stems/**"
        profile = "profiles/club.toml"
        """,
    )
    monkeypatch.chdir(tmp_path)  # somewhere else: paths must not depend on the cwd
    config = load_config(Path("proj/mixdesk.toml"))
    club = str(tmp_path / "proj" / "profiles" / "club.toml")
    assert config.profiles == ("spotify", club)  # duplicates dropped, names kept
    assert config.for_file("proj/stems/a.wav").profiles == (club,)
    assert Path(club).is_file()


def test_single_profile_string(tmp_path: Path) -> None:
    write(tmp_path / "mixdesk.toml", 'profile = "ebu-r128"\n')
    assert load_config(start=tmp_path).profiles == ("ebu-r128",)


# --- per-file ----------------------------------------------------------------

PER_FILE = """\
profile = "spotify"
select = ["TP", "LUF"]
ignore = ["SIL"]

[[per-file]]
glob = "stems/**"
profile = ["mix-for-mastering"]
ignore = ["LUF"]

[[per-file]]
glob = "*_fx.wav"
ignore = ["LUF", "CLP"]

[[per-file]]
glob = "**/masters/*.wav"
select = ["TP"]
"""


@pytest.fixture
def per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    write(tmp_path / "mixdesk.toml", PER_FILE)
    monkeypatch.chdir(tmp_path)
    return load_config()


def test_base_settings_for_unmatched_file(per_file: Config) -> None:
    s = per_file.for_file("mix.wav")
    assert (s.profiles, s.select, s.ignore, s.per_file) == (
        ("spotify",),
        ("TP", "LUF"),
        ("SIL",),
        (),
    )


def test_double_star_crosses_folders(per_file: Config) -> None:
    s = per_file.for_file("stems/drums/kick.wav")
    assert (s.profiles, s.select, s.ignore) == (("mix-for-mastering",), ("TP", "LUF"), ("LUF",))
    assert per_file.for_file("album/disc1/masters/a.wav").select == ("TP",)
    assert per_file.for_file("masters/a.wav").select == ("TP",)  # "**/" may be empty
    assert per_file.for_file("masters/sub/a.wav").select == ("TP", "LUF")  # "*" stays in one


def test_later_per_file_entry_wins(per_file: Config) -> None:
    s = per_file.for_file("stems/vox_fx.wav")  # bare-name glob matches in any folder
    assert s.ignore == ("LUF", "CLP")
    assert s.profiles == ("mix-for-mastering",)  # from the first entry; the later one has none
    assert [e.glob for e in s.per_file] == ["stems/**", "*_fx.wav"]


def test_globs_see_paths_relative_to_the_config_folder(
    per_file: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = str(tmp_path / "stems" / "a.wav")
    assert per_file.for_file(absolute).profiles == ("mix-for-mastering",)
    (tmp_path / "stems").mkdir()
    monkeypatch.chdir(tmp_path / "stems")
    assert per_file.relative("a.wav") == "stems/a.wav"
    assert per_file.for_file("a.wav").profiles == ("mix-for-mastering",)


def test_file_outside_the_config_folder_uses_the_path_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "proj" / "mixdesk.toml", '[[per-file]]\nglob = "stems/*"\nselect = ["TP"]\n')
    monkeypatch.chdir(tmp_path / "proj")
    config = load_config(start=tmp_path / "proj")
    outside = tmp_path.parent / "stems" / "a.wav"
    assert config.relative(str(outside)) == outside.as_posix()
    assert config.for_file("../stems/a.wav").select == ()  # relative to cwd, outside root


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.wav", "a.wav", True),
        ("*.wav", "stems/a.wav", True),  # no "/": the bare name counts
        ("stems/*.wav", "stems/a.wav", True),
        ("stems/*.wav", "stems/x/a.wav", False),
        ("stems/*.wav", "other/stems/a.wav", False),
        ("stems/**", "stems/x/y/a.wav", True),
        ("stems/", "stems/x/a.wav", True),
        ("**/*.wav", "a.wav", True),
        ("a/**/b.wav", "a/b.wav", True),
        ("a/**/b.wav", "a/x/y/b.wav", True),
        ("mix_?.wav", "mix_1.wav", True),
        ("mix_?.wav", "mix_12.wav", False),
        ("[!a]*.wav", "b.wav", True),
        ("[!a]*.wav", "a.wav", False),
        ("take[0-9].wav", "take7.wav", True),
        ("x[.wav", "x[.wav", True),
        ("./stems/*", "stems/a.wav", True),
        ("*.WAV", "a.wav", False),
        ("a+b (1).wav", "a+b (1).wav", True),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


# --- waivers -----------------------------------------------------------------

WAIVERS = """\
[[waivers]]
glob = "stems/*_fx.wav"
codes = ["tp001", "CLP"]
reason = "FX stems clip on purpose"

[[waivers]]
glob = "**"
codes = ["SIL002"]
reason = "  tails fade out by design  "
"""


def test_waivers_load_and_match_by_glob(tmp_path: Path) -> None:
    write(tmp_path / "mixdesk.toml", WAIVERS)
    config = load_config(start=tmp_path)
    fx, tails = config.waivers
    assert fx == Waiver("stems/*_fx.wav", ("TP001", "CLP"), "FX stems clip on purpose")
    assert tails.reason == "tails fade out by design"
    assert config.for_file(str(tmp_path / "stems" / "gun_fx.wav")).waivers == (fx, tails)
    assert config.for_file(str(tmp_path / "mix.wav")).waivers == (tails,)


def diag(code: str, severity: Severity = Severity.ERROR, start: float | None = None) -> Diagnostic:
    return Diagnostic(code, "rule", severity, f"{code} failed", start_s=start)


def test_apply_waivers_demotes_and_reports_unused() -> None:
    w_tp = Waiver("*", ("TP001",), "FX stem")
    w_clp = Waiver("*", ("CLP",), "clips on purpose")
    w_lu = Waiver("*", ("LUF",), "not used")
    findings = [diag("TP001"), diag("LUF001", Severity.WARNING), diag("TP0010"), diag("CH001")]
    out, unused = apply_waivers(findings, [w_tp, w_clp, w_lu])
    by_code = {d.code: d for d in out}
    assert by_code["TP001"].severity is Severity.INFO
    assert by_code["TP001"].message == "TP001 failed (waived: FX stem)"
    assert by_code["LUF001"].severity is Severity.INFO
    assert by_code["LUF001"].message.endswith("(waived: not used)")
    assert by_code["CH001"] == diag("CH001")  # untouched
    assert unused == (w_clp,)
    assert out[0].code == "CH001"  # still worst first after demotion


def test_apply_waivers_uses_the_most_specific_reason() -> None:
    broad = Waiver("**", ("TP",), "broad")
    narrow = Waiver("*.wav", ("TP001",), "narrow")
    out, unused = apply_waivers([diag("TP001")], [broad, narrow])
    assert out[0].message.endswith("(waived: narrow)")
    assert unused == ()  # both matched the finding


def test_apply_waivers_with_nothing() -> None:
    w = Waiver("*", ("TP",), "r")
    assert apply_waivers([], [w]) == ((), (w,))
    assert apply_waivers([diag("TP001")], []) == ((diag("TP001"),), ())


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profiel = 'x'\n", "unknown key 'profiel'"),
        ("[[per-file]]\nglob = '*'\n[[per-file]]\nglob = '*'\nprofiel = 'x'\n",
         "unknown key 'per-file[1].profiel'"),
        ("[[waivers]]\nglob = '*'\ncodes = ['TP']\nreason = 'r'\nwhy = 'x'\n",
         "unknown key 'waivers[0].why'"),
        ("profile = 3\n", "'profile' must be a string or a list of strings, not an integer"),
        ("profile = []\n", "'profile' must name at least one profile"),
        ("profile = ['a', 1]\n", "'profile[1]' must be a string"),
        ("select = 'TP'\n", "'select' must be a list of strings, not a string"),
        ("ignore = [true]\n", "'ignore[0]' must be a string, not a boolean"),
        ("select = ['TP-1']\n",
         "'select[0]': unknown rule selector 'TP-1' (did you mean TP, TP001?)"),
        ("fail-level = 'fatal'\n", "'fail-level' is 'fatal'; expected error, warning or info"),
        ("fail-level = 1\n", "'fail-level' must be a string"),
        ("per-file = {glob = '*'}\n", "'per-file' must be an array of tables"),
        ("per-file = [1]\n", "'per-file[0]' must be a table, not an integer"),
        ("[[per-file]]\nprofile = 'x'\n", "'per-file[0]' needs a 'glob'"),
        ("[[per-file]]\nglob = ''\n", "'per-file[0].glob' must not be empty"),
        ("[[per-file]]\nglob = '*'\nselect = 'TP'\n", "'per-file[0].select' must be a list"),
        ("[[waivers]]\nglob = '*'\ncodes = ['TP']\n", "'waivers[0]' needs a 'reason'"),
        ("[[waivers]]\nglob = '*'\ncodes = ['TP']\nreason = ''\n",
         "'waivers[0].reason' must not be empty"),
        ("[[waivers]]\nglob = '*'\ncodes = ['TP']\nreason = '   '\n",
         "'waivers[0].reason' must not be empty"),
        ("[[waivers]]\nglob = '*'\ncodes = ['TP']\nreason = 1\n",
         "'waivers[0].reason' must be a string"),
        ("[[waivers]]\nglob = '*'\nreason = 'r'\n", "'waivers[0]' needs a 'codes'"),
        ("[[waivers]]\nglob = '*'\ncodes = []\nreason = 'r'\n",
         "'waivers[0].codes' must name at least one code"),
        ("[[waivers]]\ncodes = ['TP']\nreason = 'r'\n", "'waivers[0]' needs a 'glob'"),
        ("select = [\n", "invalid TOML"),
    ],
)  # fmt: skip
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "mixdesk.toml", text)
    with pytest.raises(ProfileError) as info:
        load_config(path)
    text_of_error = str(info.value)
    assert text_of_error.startswith(f"{path}: ")
    assert message in text_of_error
    assert "\n" not in text_of_error


def test_pyproject_keys_are_named_with_their_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mixdesk]\nselectt = ['TP']\n")
    with pytest.raises(
        ProfileError, match=r"pyproject\.toml: unknown key 'tool\.mixdesk\.selectt'"
    ):
        load_config(start=tmp_path)
    write(tmp_path / "pyproject.toml", "[tool]\nmixdesk = 3\n")
    with pytest.raises(ProfileError, match=r"'tool\.mixdesk' must be a table"):
        load_config(start=tmp_path)


def test_broken_pyproject_on_the_way_up_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mixdesk\n")
    with pytest.raises(ProfileError, match=r"pyproject\.toml: invalid TOML"):
        find_config(tmp_path)


# --- overrides ---------------------------------------------------------------


def test_with_overrides(per_file: Config) -> None:
    assert per_file.with_overrides() == per_file
    over = per_file.with_overrides(profiles=["tidal", "tidal"], select=["clp"], fail_level="info")
    assert (over.profiles, over.select, over.ignore, over.fail_level) == (
        ("tidal",),
        ("CLP",),
        ("SIL",),
        "info",
    )
    stem = over.for_file("stems/a_fx.wav")
    assert (stem.profiles, stem.select) == (("tidal",), ("CLP",))  # flags beat per-file too
    assert stem.ignore == ("LUF", "CLP")  # not overridden: per-file still applies
    assert per_file.profiles == ("spotify",)  # frozen original untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        per_file.fail_level = "info"  # type: ignore[misc]


def test_with_overrides_rejects_bad_values(per_file: Config) -> None:
    with pytest.raises(UsageError, match="fail level 'fatal'"):
        per_file.with_overrides(fail_level="fatal")
    with pytest.raises(UsageError, match="names no profile"):
        per_file.with_overrides(profiles=[])
    assert per_file.with_overrides(select=[]).select == ()  # an empty list is a value


def test_per_file_dataclass_defaults() -> None:
    assert PerFile("*") == PerFile("*", None, None, None)


# --- config show -------------------------------------------------------------


def show(argv: list[str]) -> int:
    parser = Parser(prog="mixdesk")
    sub = parser.add_subparsers()
    config_cmd.add_parser(sub)
    args = parser.parse_args(["config", "show", *argv])
    code: int = args.func(args)
    return code


def test_show_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if find_config(tmp_path) is not None:
        pytest.skip("a config file above the temporary folder")
    monkeypatch.chdir(tmp_path)
    assert show([]) == 0
    out = capsys.readouterr().out
    assert "# config: none: built-in defaults" in out
    assert 'profile = ["default"]' in out
    assert 'fail-level = "error"' in out
    assert "# profiles:" in out
    assert "default: Neutral checks for any bounce" in out


def test_show_for_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "mixdesk.toml", 'fail-level = "warning"\n' + PER_FILE + WAIVERS)
    monkeypatch.chdir(tmp_path)
    assert show(["stems/gun_fx.wav"]) == 0
    out = capsys.readouterr().out
    assert f"# config: {tmp_path / 'mixdesk.toml'}" in out
    assert "(globs see stems/gun_fx.wav)" in out
    assert 'profile = ["mix-for-mastering"]' in out
    assert 'ignore = ["LUF", "CLP"]' in out
    assert 'fail-level = "warning"' in out
    assert "# matching [[per-file]] entries: 2" in out
    assert 'glob = "stems/**"' in out
    assert 'glob = "**/masters/*.wav"' not in out
    assert "# matching waivers: 2" in out
    assert 'reason = "FX stems clip on purpose"' in out
    assert "mix-for-mastering:" in out


def test_show_base_lists_all_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "conf.toml", PER_FILE + WAIVERS)
    assert show(["--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "# base settings" in out
    assert "# all [[per-file]] entries: 3" in out
    assert "# all waivers: 2" in out
    assert 'profile = ["spotify"]' in out
    assert "spotify:" in out


def test_show_pyproject_and_escaping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[tool.mixdesk]\n[[tool.mixdesk.waivers]]\nglob = "*"\ncodes = ["TP"]\n'
        'reason = "a \\"quoted\\"\\u001b[31m reason"\n',
    )
    assert show(["--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'reason = "a \\"quoted\\"\\u001B[31m reason"' in out
    assert "\x1b" not in out


def test_show_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "mixdesk.toml", "profiel = 'x'\n")
    assert show(["--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"mixdesk: {path}: unknown key 'profiel' (did you mean profile, per-file?)\n"


def test_show_bad_profile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "mixdesk.toml", "profile = ['no-such-profile']\n")
    assert show(["--config", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # the config that named it is named too
    assert captured.err.startswith(f"mixdesk: {path}: 'profile[0]': unknown profile 'no-such")
    assert captured.err.count("\n") == 1


def test_show_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    parser = Parser(prog="mixdesk")
    config_cmd.add_parser(parser.add_subparsers())
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["config"])
    assert info.value.code == 2
    assert "mixdesk: error:" in capsys.readouterr().err


def _pathlib_relative(root: Path, path: str) -> str:
    """The pathlib version :meth:`Config.relative` replaced: the oracle for it."""
    given = Path(path)
    absolute = Path(os.path.abspath(given))

    def real(p: Path) -> Path:
        try:
            return p.resolve()
        except (OSError, RuntimeError):
            return p

    for base, target in ((root, absolute), (real(root), real(absolute))):
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            continue
    return given.as_posix()


_PARTS = st.sampled_from(["proj", "stems", "a.wav", ".", "..", "", "b c.wav", "ü.wav", "link", "x"])


@given(
    parts=st.lists(_PARTS, max_size=6), absolute=st.booleans(), lead=st.sampled_from(["/", "//"])
)
@settings(max_examples=400, deadline=None)
def test_relative_agrees_with_pathlib(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], absolute: bool, lead: str
) -> None:
    base = tmp_path_factory.getbasetemp() / "rel"
    if not base.exists():
        (base / "proj" / "stems").mkdir(parents=True)
        (base / "proj" / "link").symlink_to(base / "proj" / "stems")  # a link inside the root
        (base / "outside").symlink_to(base / "proj")  # a link from outside into the root
        (base / "proj" / "loop").symlink_to(base / "proj" / "loop")
    config = Config(path=None, root=base / "proj")
    for start in (str(base), str(base / "outside"), str(base / "proj" / "loop")):
        path = "/".join(parts)
        path = (lead + start.lstrip("/") + "/" + path) if absolute else path
        assert config.relative(path) == _pathlib_relative(config.root, path), path


def test_config_relative_interns_no_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pathlib interns each name it parses; a daemon resolving every bounce must not.

    Interned strings die with their last reference, but the interpreter's table
    of them grows with the churn of new names, and never shrinks.
    """
    interned: list[str] = []
    real_intern = sys.intern

    def spy(s: str) -> str:
        interned.append(s)
        return real_intern(s)

    monkeypatch.setattr(sys, "intern", spy)
    config = Config(path=None, root=tmp_path)
    (tmp_path / "mixes").mkdir()
    mixes = str(tmp_path / "mixes")
    for i in range(20):  # strings, not Paths: the test must not intern the names itself
        for path in (f"{mixes}/bounce-{i}.wav", f"/elsewhere/bounce-{i}.wav"):
            config.for_file(path)  # inside the root, and outside (the as-given branch)
    assert [s for s in interned if "bounce-" in s] == []


def test_each_file_gets_its_nearest_config_in_show_check_and_watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As ruff: the closest config above the file, from wherever the command runs."""
    write(tmp_path / "mixdesk.toml", 'profile = "spotify"\nfail-level = "warning"\n')
    write(tmp_path / "album" / "mixdesk.toml", 'profile = "cd-redbook"\n')
    (tmp_path / "album" / "disc2").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert show(["../album/disc2/master.wav"]) == 0
    out = capsys.readouterr().out
    assert f"# config: {tmp_path / 'album' / 'mixdesk.toml'}" in out
    assert "(globs see disc2/master.wav)" in out
    assert 'profile = ["cd-redbook"]' in out
    finder = ConfigFinder()
    album = finder.for_path("../album/disc2/master.wav")
    top = finder.for_path(str(tmp_path / "single.wav"))
    assert (album.profiles, album.fail_level) == (("cd-redbook",), "error")
    assert (top.profiles, top.fail_level) == (("spotify",), "warning")
    assert finder.for_path("../album/other.wav") is album  # loaded once
    assert set(map(id, finder.loaded())) == {id(album), id(top)}
    explicit = ConfigFinder(tmp_path / "mixdesk.toml")
    assert explicit.for_path("../album/master.wav").profiles == ("spotify",)


def _mono_16_bit(path: Path) -> Path:
    """1 s of a 440 Hz mono sine, 16-bit 44.1 kHz: ``cd-redbook`` fails it (FMT002, mono)."""
    import numpy as np
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(44100) / 44100
    sf.write(path, 0.25 * np.sin(2 * np.pi * 440 * t), 44100, subtype="PCM_16")
    return path


def _cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "qc", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def test_check_from_outside_the_album_applies_the_albums_config(tmp_path: Path) -> None:
    write(tmp_path / "album" / "mixdesk.toml", 'profile = "cd-redbook"\n')
    _mono_16_bit(tmp_path / "album" / "disc2" / "master.wav")
    _mono_16_bit(tmp_path / "single.wav")  # no config above it: the defaults
    (tmp_path / "elsewhere").mkdir()
    proc = _cli("check", "--format", "json", "../album/disc2/master.wav", "../single.wav",
                cwd=tmp_path / "elsewhere")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    codes = {
        f["path"]: {d["code"] for d in f["diagnostics"]} for f in json.loads(proc.stdout)["files"]
    }
    assert "FMT002" in codes["../album/disc2/master.wav"]
    assert "FMT002" not in codes["../single.wav"]
    assert _cli("check", "--config", str(tmp_path / "album" / "mixdesk.toml"), "../single.wav",
                cwd=tmp_path / "elsewhere").returncode == 1  # fmt: skip


def test_watch_applies_the_watched_folders_config_and_refuses_a_bad_one(tmp_path: Path) -> None:
    from tests.qc.watch.test_cli_watch import Daemon

    album, log = tmp_path / "album", tmp_path / "w.ndjson"
    write(album / "mixdesk.toml", 'profile = "cd-redbook"\n')
    d = Daemon(album, "--log", log, "--jobs", "1", "--settle", "0.3", "--abort-after", "1")
    try:
        d.wait_line("watching")
        staged = _mono_16_bit(tmp_path / "staging" / "master.wav")
        os.replace(staged, album / "master.wav")
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text().endswith("\n")) and time.monotonic() < deadline:
            time.sleep(0.05)
        [row] = [json.loads(line) for line in log.read_text().splitlines()]
    finally:
        d.proc.send_signal(signal.SIGTERM)
        d.finish()
    assert "FMT002" in {x["code"] for x in row["diagnostics"]}, row
    write(album / "mixdesk.toml", 'profiel = "cd-redbook"\n')
    proc = _cli("watch", str(album), cwd=tmp_path, timeout=30)
    assert proc.returncode == 2
    hint = " (did you mean profile, per-file?)"
    assert proc.stderr == f"mixdesk: {album / 'mixdesk.toml'}: unknown key 'profiel'{hint}\n"
