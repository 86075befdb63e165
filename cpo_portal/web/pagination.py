"""API paging (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS): `limit` and `offset` are whole
numbers in bounds, or the request is a 400 that says which and why.

DRF's LimitOffsetPagination quietly uses the default for a limit it cannot parse and passes
any large number on to the database, where 10**20 overflows a bigint (a 500).
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from cpo_portal.formatting.number_inputs import whole_number

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


def _bounded(request, name: str, low: int, high: int, default: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    value = whole_number(raw)
    if value is None or not low <= value <= high:
        raise ValidationError({name: [f"Give a whole number from {low} to {high}."]})
    return value


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request) -> int:
        default = MAX_LIMIT if self.default_limit is None else self.default_limit  # PAGE_SIZE
        return _bounded(request, self.limit_query_param, 1, MAX_LIMIT, default)

    def get_offset(self, request) -> int:
        return _bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)
