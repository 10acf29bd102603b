"""Settings resolved once, waivers applied by the engine, findings made by their rules."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qc.checks import ALL_RULES
from qc.checks.loudness import FarBelowTarget
from qc.checks.rule import Rule
from qc.diagnostic import Diagnostic, Severity
from qc.engine import check, check_file
from qc.errors import ProfileError
from qc.profiles import load_profile, rules_dir
from qc.settings import Settings
from qc.waivers import Waiver
from qc.watch.job import Job, run_job

RATE = 48000


@pytest.fixture(scope="module")
def hot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Full-scale clipping: 220 Hz at +6 dB clipped to +-1, 2 s, stereo, 24-bit."""
    n = np.arange(2 * RATE)
    x = np.clip(2.0 * np.sin(2 * np.pi * 220 * n / RATE), -1, 1)
    path = tmp_path_factory.mktemp("settings") / "hot.wav"
    sf.write(path, np.stack([x, 0.9 * x], axis=1), RATE, subtype="PCM_24")
    return path


def test_the_engine_applies_waivers_for_check_and_watch_alike(hot: Path) -> None:
    waiver = Waiver("*.wav", ("CLP001",), "clipped on purpose")
    unused = Waiver("*.wav", ("SIL004",), "never fires here")
    settings = Settings((load_profile("default"),), waivers=(waiver, unused))
    direct = check(str(hot), settings)
    [clip] = [d for d in direct.diagnostics if d.code == "CLP001"]
    assert clip.severity is Severity.INFO
    assert clip.message.endswith("(waived: clipped on purpose)")
    assert direct.unused_waivers == (unused,)
    watched = run_job(Job(str(hot), settings)).result
    assert watched is not None
    assert watched.diagnostics == direct.diagnostics
    spelled = check_file(str(hot), [load_profile("default")], waivers=[waiver, unused])
    assert spelled.diagnostics == direct.diagnostics


def _profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text('extends = "default"\n' + body)
    return path


def test_a_profile_configures_the_unreadable_file_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    warn = load_profile(str(_profile(tmp_path, '[rules.unreadable-file]\nseverity = "warning"\n')))
    result = check_file(str(bad), [warn])
    assert [(d.code, d.severity, d.profile) for d in result.diagnostics] == [
        ("FMT003", Severity.WARNING, "p")
    ]
    off = load_profile(str(_profile(tmp_path, "[rules.unreadable-file]\nenabled = false\n")))
    result = check_file(str(bad), [off])
    assert result.error is not None
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    ("body", "where", "allowed"),
    [
        ('[rules.normalization-preview]\nboost = "sometimes"\n',
         "'rules.normalization-preview.boost' is 'sometimes'",
         "expected one of 'never', 'headroom', 'always'"),
        ('[rules.delivery-format]\nbit_depths = ["24"]\n',
         "'rules.delivery-format.bit_depths' item 0 is '24'", "expected a list of integers"),
        ("[rules.delivery-format]\nchannels = 2\n",
         "'rules.delivery-format.channels' is 2", "expected a list of integers"),
        ("[rules.true-peak-ceiling]\nmax_dbtp = true\n",
         "'rules.true-peak-ceiling.max_dbtp' is True", "expected a number"),
        ("[rules.true-peak-ceiling]\nmax_dbt = -1.0\n",
         "unknown key 'rules.true-peak-ceiling.max_dbt'", "(did you mean max_dbtp"),
        ("[rules.full-scale-clipping]\nmin_runs = 0\n",
         "'rules.full-scale-clipping.min_runs' is 0", "expected an integer of at least 1 runs"),
        ("[rules.phase-correlation]\nmin_correlation = -2.0\n",
         "'rules.phase-correlation.min_correlation' is -2.0", "expected a number from -1 to 1"),
        ("[rules.delivery-format]\nsample_rates = [44100, -48000]\n",
         "'rules.delivery-format.sample_rates' item 1 is -48000", "integers of at least 1 Hz"),
        ("[rules.clipping]\n", "unknown rule 'rules.clipping'",
         "(renamed: 'rules.full-scale-clipping')"),
        ("[rules.true-peak-celing]\n", "unknown rule 'rules.true-peak-celing'",
         "(did you mean true-peak-ceiling?)"),
        ("[measure]\nover_dbfs = -1.0\n", "unknown key 'measure.over_dbfs'",
         "(did you mean over_dbtp?)"),
    ],
)  # fmt: skip
def test_a_bad_profile_value_names_file_key_and_allowed_values(
    tmp_path: Path, body: str, where: str, allowed: str
) -> None:
    path = _profile(tmp_path, body)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}: {where}")
    assert allowed in message


def test_severity_is_passed_explicitly_not_in_the_options() -> None:
    for rule in ALL_RULES:
        params = inspect.signature(type(rule).check).parameters
        assert list(params) == ["self", "ctx", "opts", "severity"], rule.code
        assert "severity" not in rule.defaults()
    assert list(inspect.signature(Rule.check_unreadable).parameters)[-1] == "severity"


def test_far_below_target_threshold_is_the_quietest_shipped_target_minus_6_lu() -> None:
    targets = []
    for path in rules_dir().glob("*.toml"):
        data = tomllib.loads(path.read_text())
        for table in data.get("rules", {}).values():
            if "target_lufs" in table:
                targets.append(table["target_lufs"])
    assert FarBelowTarget().defaults()["min_lufs"] == min(targets) - 6.0


def test_diagnostics_sort_worst_first_then_by_time() -> None:
    def d(code: str, sev: Severity, start: float | None) -> Diagnostic:
        return Diagnostic(code, "x", sev, "m", start_s=start)

    items = [d("B", Severity.INFO, 1.0), d("A", Severity.ERROR, 5.0), d("C", Severity.ERROR, None),
             d("D", Severity.WARNING, 0.0), d("A", Severity.ERROR, 2.0)]  # fmt: skip
    assert [(x.code, x.start_s) for x in sorted(items)] == [
        ("C", None),
        ("A", 2.0),
        ("A", 5.0),
        ("D", 0.0),
        ("B", 1.0),
    ]
