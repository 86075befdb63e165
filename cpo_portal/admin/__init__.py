"""Admin of the project package: the charging network (`network.py`), and the bases every
app's admin builds on: the tenant-safe admin classes (`tenant.py`), the read-only audit
history (`history_admin.py`), the operator picker of file uploads (`file_uploads.py`) and the
network's forms (`forms.py`); and the libraries' admins (Celery beat's, axes'), mended
(`library_admins.py`)."""

from cpo_portal.admin import library_admins  # noqa: F401  (registers them again)
from cpo_portal.admin.network import (
    ChargerAdmin,
    HolidayAdmin,
    OperatorAdmin,
    StaffMembershipAdmin,
    StationAdmin,
)

__all__ = ["ChargerAdmin", "HolidayAdmin", "OperatorAdmin", "StaffMembershipAdmin", "StationAdmin"]
