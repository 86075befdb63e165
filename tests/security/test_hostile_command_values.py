"""Every management command of the product, given values no argument takes (NUL, "²", an
integer beyond 64 bits, year 9999, -1, NaN, a number beyond any float, a file that is not
there, nothing): in each of its arguments alone and in all of them at once, for every verb
of a command that has verbs. The answer is the command's one-line message (CommandError,
or argparse's usage error), or the work done: never a traceback. The commands that serve
until stopped (the BAP simulator, the stand-in CDS) and the demo seeding are left out.
Every product command is a ProductCommand (cpo_portal.management.product_command), which
refuses an argument holding NUL before the command runs."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError, CommandParser

from cpo_portal.management.product_command import ProductCommand

PRODUCT = ("cpo_portal", "pricing", "offers", "beckn", "analytics", "roaming")
SERVING = {"cds_standin", "beckn_bap", "seed_demo"}
HOSTILE = ["a\x00b", "\u00b2", "99999999999999999999999", "9999-12-31", "-1", "NaN", "1e999",
           "/nonexistent/file.csv", ""]  # fmt: skip


class KeptArguments(CommandParser):
    """A command's parser that keeps every argument it is given, as `add_argument` (on it or
    on one of its groups) and `add_subparsers` return it: argparse has no public list of a
    parser's arguments. Its verbs' parsers are KeptArguments too (CommandParser's
    `add_subparsers` makes them of the parser's own class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.arguments: list[argparse.Action] = []  # argparse's __init__ adds --help
        super().__init__(*args, **kwargs)

    def keep(self, action: Any) -> Any:
        self.arguments.append(action)
        return action

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        return self.keep(super().add_argument(*args, **kwargs))

    def add_subparsers(self, **kwargs: Any) -> Any:
        return self.keep(super().add_subparsers(**kwargs))

    def kept_group(self, group: Any) -> Any:
        add, exclusive = group.add_argument, group.add_mutually_exclusive_group
        group.add_argument = lambda *args, **kwargs: self.keep(add(*args, **kwargs))
        group.add_mutually_exclusive_group = lambda **kwargs: self.kept_group(exclusive(**kwargs))
        return group

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        return self.kept_group(super().add_argument_group(*args, **kwargs))

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return self.kept_group(super().add_mutually_exclusive_group(**kwargs))


def command_arguments(command: Any, name: str) -> KeptArguments:
    """The command's own arguments (its `add_arguments`; Django's common options left out)."""
    parser = KeptArguments(prog=f"manage.py {name}")
    command.add_arguments(parser)
    return parser


def argument_lists(parser: KeptArguments, value: str) -> Iterator[list[str]]:
    """The command lines giving `value` to every argument of `parser` that takes one: all
    at once, then each option alone."""
    options = [a for a in parser.arguments if a.option_strings and a.nargs != 0]
    positional = [a for a in parser.arguments if not a.option_strings]
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
        parser = command_arguments(load_command_class(app, name), name)
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
