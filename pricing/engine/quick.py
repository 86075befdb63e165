"""A cheaper __init__ for the frozen, slotted dataclasses a quote builds by the dozen.

A frozen dataclass stores each field with `object.__setattr__(self, name, value)`, a
lookup and a generic attribute write per field. `quick_init` replaces that __init__ with
one that calls each field's slot descriptor directly: the same signature, defaults and
stored values (so equality, hashing, repr, pickling and dataclasses.replace are those
of the dataclass), about a third cheaper to call. The dataclasses module generates its
own __init__ the same way, from source text; this does so for a narrower case: fields
with plain defaults (init=False ones start as theirs), no __post_init__, no InitVar, no
keyword-only fields.

`quick_new(cls)` goes further for the few classes a quote builds most: a function with
the class's signature that fills an instance of a plain twin class (the same slots, no
frozen __setattr__: each field a plain attribute store) and then makes it an instance of
`cls` (`__class__` assignment, allowed between classes of the same slot layout). What
it returns is an ordinary instance of `cls`, equal to `cls(...)` of the same arguments;
it skips `cls.__init__` and the class call: about 40 % of the cost of `cls(...)` (a
nine-field QuoteLine: 3,500 instructions against 8,700).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

C = TypeVar("C", bound=type[Any])
T = TypeVar("T")


def quick_init(cls: C) -> C:
    """Decorate a @dataclass(frozen=True, slots=True) class (put it above @dataclass)."""
    fields = _plain_fields(cls)
    scope: dict[str, Any] = {}
    args, body = [], []
    for f in fields:
        scope[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if not f.init:  # not an argument: it starts as its default
            scope[f"_default_{f.name}"] = f.default
            body.append(f"    _set_{f.name}(self, _default_{f.name})")
            continue
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + "\n".join(body or ["    pass"])
    made: dict[str, Any] = {}
    exec(source, scope, made)  # noqa: S102 - source built from field names only
    init = made["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls


def quick_new(cls: type[T]) -> Callable[..., T]:
    """A constructor of the frozen, slotted dataclass `cls` (as quick_init accepts, with
    no base class but object) that returns what `cls(...)` returns, at well under half the cost."""
    if cls.__bases__ != (object,):
        raise TypeError(f"quick_new needs a class with no base but object: {cls.__name__}")
    fields = _plain_fields(cls)
    twin = type(f"_{cls.__name__}Fields", (), {"__slots__": cls.__dict__["__slots__"]})
    scope: dict[str, Any] = {"_cls": cls, "_twin": twin}
    args, body = [], ["    self = _twin()"]
    for f in fields:
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{f.name}"] = f.default
        if not f.init:
            body.append(f"    self.{f.name} = _default_{f.name}")
            continue
        args.append(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}")
        body.append(f"    self.{f.name} = {f.name}")
    body += ["    self.__class__ = _cls", "    return self"]
    source = f"def new_{cls.__name__}({', '.join(args)}):\n" + "\n".join(body)
    made: dict[str, Any] = {}
    exec(source, scope, made)  # noqa: S102 - source built from field names only
    new: Callable[..., T] = made[f"new_{cls.__name__}"]
    new.__module__ = cls.__module__
    return new


def _plain_fields(cls: type[Any]) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a frozen, slotted dataclass without extras (else TypeError)."""
    fields = dataclasses.fields(cls)
    declared = cls.__dataclass_fields__  # with any InitVar or ClassVar pseudo-fields
    if (
        not cls.__dataclass_params__.frozen
        or "__slots__" not in cls.__dict__
        or hasattr(cls, "__post_init__")
        or len(declared) != len(fields)
    ):
        raise TypeError(f"quick_init needs a slotted dataclass without extras: {cls.__name__}")
    for f in fields:
        if f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"quick_init cannot handle field {cls.__name__}.{f.name}")
        if not f.init and f.default is dataclasses.MISSING:
            raise TypeError(f"quick_init needs a default for {cls.__name__}.{f.name}")
    return fields
