"""rating -> on_rating: ratings of an order, its fulfillment, the charger or the operator
are kept on the order, the latest of each; other categories answer 50003. A request
rating nothing, or a rating without its category, id or value, is refused (30000)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from beckn.messages import Failure, Reply, Request
from beckn.models import Order
from beckn.protocol import errors
from beckn.protocol.json_text import obj, seq
from cpo_portal.web.schema_errors import shown

SUPPORTED = frozenset({"Order", "Fulfillment", "Item", "Provider"})
REQUIRED = ("rating_category", "id", "value")  # what a rating is: of what, which, how much


def _value(text: object, path: str) -> str:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(1) <= value <= Decimal(5):
        raise Failure(
            errors.INVALID_RATING_VALUE, f"{shown(text)} is not a rating from 1 to 5", path
        )
    return str(value)


def _order_for(req: Request, category: str, target: str) -> Order | None:
    """The BAP's order a rating is kept on: the one it names; for an Item (a charger) or a
    Provider (an operator), the BAP's latest order there (the last one created)."""
    orders = Order.objects.select_for_update(of=("self",)).filter(bap_id=req.bap_id)
    if category in ("Order", "Fulfillment"):
        return orders.filter(order_id=target).first()
    where = {"charger_code": target} if category == "Item" else {"operator__code": target}
    latest = orders.filter(**where).exclude(order_id=None).order_by("-created_at", "-pk")
    return latest.first()


def handle(req: Request) -> Reply:
    ratings = seq(req.message.get("ratings"))
    if not ratings:
        path = "$.message.ratings"
        raise Failure(errors.INVALID_REQUEST, "ratings is required: at least one rating", path)
    last = None
    for index, rating in enumerate(ratings):
        rating = obj(rating)
        path = f"$.message.ratings[{index}]"
        for name in REQUIRED:
            if rating.get(name) in (None, ""):
                raise Failure(errors.INVALID_REQUEST, f"{name} is required", f"{path}.{name}")
        category = rating["rating_category"]
        if category not in SUPPORTED:
            raise Failure(
                errors.UNSUPPORTED_RATING_CATEGORY,
                f"{shown(category)} cannot be rated here",
                f"{path}.rating_category",
            )
        target = str(rating["id"])
        value = _value(rating["value"], f"{path}.value")
        order = _order_for(req, category, target)
        if order is None:
            raise Failure(
                errors.ENTITY_TO_RATE_NOT_FOUND,
                f"no order of yours to rate for {category} {shown(target)}",
                f"{path}.id",
            )
        # one rating of each thing per order, the latest: rated again (or 500 times in one
        # request), the value is replaced, and the list stays as long as what was rated
        kept = [r for r in order.ratings if (r.get("category"), r.get("id")) != (category, target)]
        order.ratings = [*kept, {"category": category, "id": target, "value": value}]
        order.save(update_fields=["ratings", "updated_at"])
        last = order
    return Reply(message={}, order=last)
