"""``mixdesk config show [--config F] [PATH]``: print the settings that apply, as TOML.

``mixdesk config show --profile NAME`` prints one profile instead: its
measurement options and every rule with its state, severity, every threshold
(with its unit) and the threshold's status and source, as TOML a profile could
hold (comments say what a rule's own default supplies).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from qc.cli._parsing import Subparsers
from qc.config import Config, ConfigFinder, FileSettings, PerFile, Waiver
from qc.errors import ProfileError
from qc.printable import printable, printable_line
from qc.profiles import Profile, load_profile

__all__ = ["add_parser", "render_profile", "render_settings", "run_show"]


def add_parser(sub: Subparsers) -> None:
    """Register ``config`` with its ``show`` action."""
    p = sub.add_parser("config", help="inspect the configuration (mixdesk.toml, pyproject.toml)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    show = actions.add_parser(
        "show",
        help="print the resolved settings for a file, or the base settings",
        description=(
            "Print the settings that apply to PATH (or the base settings) as TOML: the config "
            "file used, profiles, select, ignore, fail-level, the matching [[per-file]] entries "
            "and waivers, and the description of each profile. With --profile NAME, print that "
            "profile instead: every rule with its state, severity, thresholds and their "
            "status and source."
        ),
    )
    what = show.add_mutually_exclusive_group()
    what.add_argument(
        "--profile",
        metavar="NAME",
        help="print this profile (a shipped name or a .toml path): every threshold with its "
        "status and source",
    )
    what.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a file to resolve settings for; its config is the nearest one in its folder "
        "or above, as for check and watch",
    )
    show.add_argument(
        "--config",
        metavar="F",
        help="use this mixdesk.toml or pyproject.toml instead of discovering one",
    )
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    """Run ``config show``; 0 on success, 2 for a bad config file or profile."""
    if args.profile is not None:
        try:
            profile = load_profile(args.profile)
        except ProfileError as err:
            print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
            return 2
        sys.stdout.write(render_profile(profile))
        return 0
    try:
        # The same finder as check and watch: --config, else the nearest above the file.
        finder = ConfigFinder(Path(args.config) if args.config is not None else None)
        config = finder.for_path(args.path) if args.path else finder.for_folder(os.getcwd())
        settings = config.for_file(args.path) if args.path else None
        names = settings.profiles if settings is not None else config.profiles
        profiles = [load_profile(name) for name in names]
    except ProfileError as err:
        print(f"mixdesk: {printable_line(str(err))}", file=sys.stderr)
        return 2
    sys.stdout.write(render_settings(config, args.path, settings, profiles))
    return 0


def render_settings(
    config: Config,
    path: str | None,
    settings: FileSettings | None,
    profiles: Sequence[Profile],
) -> str:
    """Format resolved settings as TOML (comments carry what is not a config key).

    Args:
        config: The loaded config.
        path: The file the settings are for, or ``None`` for the base settings.
        settings: ``config.for_file(path)``, or ``None`` for the base settings.
        profiles: The loaded profiles named by the settings.

    Returns:
        The text, ending with a newline.
    """
    source = "none: built-in defaults" if config.path is None else str(config.path)
    lines = [f"# config: {_comment(source)}"]
    if path is not None:
        lines.append(f"# file: {_comment(path)} (globs see {_comment(config.relative(path))})")
    else:
        lines.append("# base settings (pass PATH to resolve one file)")
    base = settings or FileSettings(
        config.profiles, config.select, config.ignore, config.waivers, config.per_file
    )
    lines += [
        f"profile = {_array(base.profiles)}",
        f"select = {_array(base.select)}",
        f"ignore = {_array(base.ignore)}",
        f"fail-level = {_string(config.fail_level)}",
    ]
    what = "matching" if settings is not None else "all"
    lines.append(f"\n# {what} [[per-file]] entries: {len(base.per_file) or 'none'}")
    lines += [line for entry in base.per_file for line in _per_file(entry)]
    lines.append(f"\n# {what} waivers: {len(base.waivers) or 'none'}")
    lines += [line for waiver in base.waivers for line in _waiver(waiver)]
    lines.append("\n# profiles:")
    for p in profiles:
        lines.append(f"#   {_comment(p.name)}: {_comment(p.description) or '(no description)'}")
        lines.append(f"#     {_comment(str(p.path))}")
    return "\n".join(lines) + "\n"


def render_profile(profile: Profile) -> str:
    """Format a resolved profile as TOML: measurement options, then every rule.

    Each rule's table holds ``enabled``, ``severity``, every option (the
    profile's value, or the rule's default with a comment saying so, and the
    unit), and the ``status`` and ``source`` of the profile's thresholds
    (``# status: not stated`` when the profile gives none).

    Args:
        profile: The resolved profile (``extends`` applied).

    Returns:
        The text, ending with a newline.
    """
    from qc.checks import ALL_RULES
    from qc.checks.runner import rule_options

    lines = [
        f"# profile: {_comment(profile.name)} ({_comment(str(profile.path))})",
        f"description = {_string(profile.description)}",
        "\n[measure]",
    ]
    for f in dataclasses.fields(profile.measure):
        value = getattr(profile.measure, f.name)
        if f.name == "detectors":  # a run-time switch, not a profile key
            continue
        lines.append(f"{f.name} = {_value(value)}" if value is not None else f"# {f.name}: auto")
    for rule in ALL_RULES:
        settings = profile.rules.get(rule.name)
        set_here = settings.options if settings is not None else {}
        opts, severity = rule_options(rule, profile)
        enabled = rule.enabled if settings is None or settings.enabled is None else settings.enabled
        lines += [
            f"\n[rules.{rule.name}]  # {rule.code}: {_comment(rule.summary())}",
            f"enabled = {_value(enabled)}",
            f'severity = "{severity.label}"',
        ]
        for o in rule.options:
            notes = [o.unit] if o.unit else []
            if o.name not in set_here:
                notes.append("rule default")
            comment = f"  # {', '.join(notes)}" if notes else ""
            lines.append(f"{o.name} = {_value(opts[o.name])}{comment}")
        status = settings.status if settings is not None else None
        source = settings.source if settings is not None else None
        lines.append(f"status = {_string(status)}" if status else "# status: not stated")
        lines.append(f"source = {_string(source)}" if source else "# source: not stated")
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    """A TOML value: string, boolean, number or array."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return repr(value)


def _per_file(entry: PerFile) -> list[str]:
    out = ["[[per-file]]", f"glob = {_string(entry.glob)}"]
    for key, value in (("profile", entry.profiles), ("select", entry.select),
                       ("ignore", entry.ignore)):  # fmt: skip
        if value is not None:
            out.append(f"{key} = {_array(value)}")
    return out


def _waiver(waiver: Waiver) -> list[str]:
    return [
        "[[waivers]]",
        f"glob = {_string(waiver.glob)}",
        f"codes = {_array(waiver.codes)}",
        f"reason = {_string(waiver.reason)}",
    ]


def _string(text: str) -> str:
    r"""A TOML basic string; control characters become ``\uXXXX``."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or not ch.isprintable():
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _array(items: Sequence[str]) -> str:
    return "[" + ", ".join(_string(i) for i in items) + "]"


def _comment(text: str) -> str:
    return printable(text)
