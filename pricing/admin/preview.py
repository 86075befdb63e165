"""Price preview: what would this session cost at this charger? (any role may look)

There is one price tool in the admin, and it quotes through the commerce service (offers
included), which sits above pricing: the offers admin provides it (`price_tool.view`,
set when the offers admin loads) and the tariff admin's preview URL serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404


class _PriceTool:
    view: Callable[[Any], Callable[..., Any]]

    def __init__(self) -> None:
        self.view = self._missing

    @staticmethod
    def _missing(model_admin):
        def view(request):
            raise Http404("the price tool is provided by the offers admin")

        return view


price_tool = _PriceTool()
