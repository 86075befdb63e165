"""The settings, driven by environment variables, in one module per concern.

Defaults are for a laptop: SQLite in ./var and Celery's filesystem broker, no services.
Deployments set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis). With DEBUG off
(the default) the settings are production-safe and SECRET_KEY is required. Every variable
is listed in docs/operations.md.
"""

from .background import *  # noqa: F403
from .django_core import *  # noqa: F403
from .environment import *  # noqa: F403
from .protocols import *  # noqa: F403
from .security import *  # noqa: F403
