"""Admin of the project package: the charging network (`network.py`), and the bases every
app's admin builds on: the tenant-safe admin classes (`tenant.py`), the read-only audit
history (`history_admin.py`), the operator picker of file uploads (`file_uploads.py`) and the
network's forms (`forms.py`); and Celery beat's admin, mended (`beat.py`)."""

from cpo_portal.admin import beat  # noqa: F401  (registers Celery beat's admin again)
from cpo_portal.admin.network import (
    ChargerAdmin,
    HolidayAdmin,
    OperatorAdmin,
    StaffMembershipAdmin,
    StationAdmin,
)

__all__ = ["ChargerAdmin", "HolidayAdmin", "OperatorAdmin", "StaffMembershipAdmin", "StationAdmin"]
