"""Deploy checks of roaming (`manage.py check --deploy`): the address partners are given."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http.request import validate_host


def _local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


@register(Tags.security, deploy=True)
def check_public_url(app_configs, **kwargs) -> list[Warning]:
    """OCPI_PUBLIC_URL is what every partner is given (the versions URL, Link headers):
    an address only this host reaches, plain HTTP, or a host this server refuses
    (ALLOWED_HOSTS) would leave every partner's registration failing."""
    url = settings.OCPI_PUBLIC_URL
    parts = urlsplit(url)
    host = parts.hostname or ""
    problems = []
    if parts.scheme != "https" or _local(host):
        problems.append("is not a public https:// address")
    elif not validate_host(host, settings.ALLOWED_HOSTS):
        problems.append("names a host that is not in ALLOWED_HOSTS")
    return [
        Warning(
            f"OCPI_PUBLIC_URL ({url}) {problem}: roaming partners are given {url}/versions.",
            hint="Set OCPI_PUBLIC_URL to our OCPI root as partners reach it, "
            "e.g. https://cpo.example.com/ocpi.",
            id="roaming.W001",
        )
        for problem in problems
    ]
