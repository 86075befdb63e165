"""quick_init and quick_new: the same objects as the dataclass's own __init__, built more
cheaply."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from pricing.engine.quick import quick_init, quick_new
from pricing.engine.types import LineKind, QuoteLine


@dataclass(frozen=True, slots=True)
class Plain:
    code: str
    amount: Decimal
    tags: tuple[str, ...] = ()
    rate: Decimal | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    code: str
    amount: Decimal
    tags: tuple[str, ...] = ()
    rate: Decimal | None = None


def _values(obj: Plain | Quick) -> tuple[object, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


def test_same_fields_defaults_and_values_as_the_dataclass():
    for args, kwargs in (
        (("a", Decimal("1.50")), {}),
        ((), {"amount": Decimal(2), "code": "b", "rate": Decimal("0.18")}),
        (("c", Decimal("0.1"), ("x",)), {"rate": None}),
    ):
        quick, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)
        assert _values(quick) == _values(plain)
        assert [str(v) for v in _values(quick)] == [str(v) for v in _values(plain)]
    assert str(Quick("a", Decimal("1.50")).amount) == "1.50"  # stored as given


def test_still_frozen_hashable_comparable_replaceable_and_picklable():
    line = QuoteLine(LineKind.ENERGY, "base", "Energy", Decimal("10.00"), tax_rate=Decimal("0.18"))
    same = QuoteLine(
        kind=LineKind.ENERGY,
        code="base",
        title="Energy",
        amount=Decimal("10.00"),
        tax_rate=Decimal("0.18"),
    )
    assert line == same and hash(line) == hash(same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.amount = Decimal(0)  # type: ignore[misc]
    cut = dataclasses.replace(line, amount=Decimal("9.00"))
    assert cut.amount == Decimal("9.00") and cut.code == "base" and cut.item_id == ""
    assert pickle.loads(pickle.dumps(line)) == line


def test_bad_arguments_fail_as_with_the_dataclass():
    with pytest.raises(TypeError):
        Quick("a")  # amount missing
    with pytest.raises(TypeError):
        Quick("a", Decimal(1), colour="red")  # no such field


def test_refuses_what_it_cannot_copy():
    @dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclass(slots=True)
    class NotFrozen:
        x: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        x: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        x: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, Factory, PostInit):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_a_field_outside_init_starts_as_its_default():
    @quick_init
    @dataclass(frozen=True, slots=True)
    class Cached:
        x: int
        memo: str | None = field(default=None, init=False)

    @dataclass(frozen=True, slots=True)
    class NoDefault:
        x: int
        memo: str = field(init=False)

    made = Cached(3)
    assert (made.x, made.memo) == (3, None)
    with pytest.raises(TypeError):
        Cached(3, "given")  # type: ignore[call-arg]
    assert dataclasses.replace(made, x=4).memo is None
    with pytest.raises(TypeError):
        quick_init(NoDefault)


new_line, new_plain = quick_new(QuoteLine), quick_new(Plain)


def test_quick_new_makes_what_the_class_makes():
    for args, kwargs in (
        ((LineKind.ENERGY, "base", "Energy", Decimal("10.00")), {}),
        ((LineKind.SURGE, "s", "Peak"), {"amount": Decimal("2.5"), "tags": (("a", "b"),)}),
    ):
        made, plain = new_line(*args, **kwargs), QuoteLine(*args, **kwargs)
        assert type(made) is QuoteLine
        assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
        assert [str(getattr(made, f.name)) for f in dataclasses.fields(made)] == [
            str(getattr(plain, f.name)) for f in dataclasses.fields(plain)
        ]
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.amount = Decimal(0)  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(made)) == made
        assert dataclasses.replace(made, code="x") == dataclasses.replace(plain, code="x")
    assert new_plain("a", Decimal("1.50")) == Plain("a", Decimal("1.50"))
    with pytest.raises(TypeError):
        new_plain("a")  # amount missing


def test_quick_new_fields_outside_init_and_what_it_refuses():
    @dataclass(frozen=True, slots=True)
    class Cached:
        x: int
        memo: str | None = field(default=None, init=False)

    @dataclass(frozen=True, slots=True)
    class Child(Cached):
        y: int = 0

    made = quick_new(Cached)(3)
    assert type(made) is Cached and (made.x, made.memo) == (3, None) and made == Cached(3)
    with pytest.raises(TypeError):
        quick_new(Cached)(3, "given")
    for cls in (Child, NotSlotted):
        with pytest.raises(TypeError):
            quick_new(cls)


@dataclass(frozen=True)
class NotSlotted:
    x: int
