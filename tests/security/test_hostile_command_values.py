"""Every management command of the product, given values no argument takes (NUL, "²", an
integer beyond 64 bits, year 9999, -1, NaN, a number beyond any float, a file that is not
there, nothing): in each of its arguments alone and in all of them at once, for every verb
of a command that has verbs. The answer is the command's one-line message (CommandError,
or argparse's usage error), or the work done: never a traceback. The commands that serve
until stopped (the BAP simulator, the stand-in CDS) and the demo seeding are left out.
Every product command is a ProductCommand (cpo_portal.management.product_command), which
refuses an argument holding NUL before the command runs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from cpo_portal.management.product_command import ProductCommand

PRODUCT = ("cpo_portal", "pricing", "offers", "beckn", "analytics", "roaming")
SERVING = {"cds_standin", "beckn_bap", "seed_demo"}
HOSTILE = ["a\x00b", "\u00b2", "99999999999999999999999", "9999-12-31", "-1", "NaN", "1e999",
           "/nonexistent/file.csv", ""]  # fmt: skip
DJANGO_S = {"verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
            "skip_checks", "help", "version"}  # fmt: skip


def argument_lists(parser: Any, value: str) -> Iterator[list[str]]:
    """The command lines giving `value` to every argument of `parser` that takes one: all
    at once, then each option alone. (argparse lists a parser's arguments only in its
    `_actions`.)"""
    options = [a for a in parser._actions if a.option_strings and a.nargs != 0
               and a.dest not in DJANGO_S]  # fmt: skip
    positional = [a for a in parser._actions if not a.option_strings]
    for p in positional:
        if isinstance(p.choices, dict):  # verbs, each with its own arguments
            for verb, verb_parser in p.choices.items():
                for rest in argument_lists(verb_parser, value):
                    yield [verb, *rest]
            return
    heads: list[list[str]] = [[]]
    for p in positional:
        heads = (
            [[*h, c] for h in heads for c in p.choices]
            if p.choices
            else [[*h, value] for h in heads]
        )
    for head in heads:
        yield [*head, *(f"{o.option_strings[0]}={value}" for o in options)]
        for o in options:
            yield [*head, f"{o.option_strings[0]}={value}"]


@pytest.mark.django_db
def test_no_command_answers_a_value_no_argument_takes_with_a_traceback(network):
    wrong, run = [], 0
    for name, app in sorted(get_commands().items()):
        if app not in PRODUCT or name in SERVING:
            continue
        parser = load_command_class(app, name).create_parser("manage.py", name)
        for value in HOSTILE:
            for args in argument_lists(parser, value):
                run += 1
                try:
                    call_command(name, *args, stdout=io.StringIO(), stderr=io.StringIO())
                except (CommandError, SystemExit):
                    pass  # its one-line message
                except Exception as exc:
                    wrong.append(f"manage.py {name} {args!r}: {type(exc).__name__}: {exc}")
    assert run > 500 and wrong == [], "\n".join(wrong)


def test_every_product_command_is_a_product_command():
    ours = {name: app for name, app in get_commands().items() if app in PRODUCT}
    assert len(ours) > 15
    for name, app in ours.items():
        assert isinstance(load_command_class(app, name), ProductCommand), name
