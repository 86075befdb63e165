"""Every admin page we serve renders with no inline code, so the strict CSP can enforce.

The sweep walks the admin registry, so pages added by other apps are covered as they land.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.security.helpers import ROOT, inline_code
from tests.support.admin import admin_pages

# CI: on PostgreSQL only (headers and settings: what it checks does not depend on the database)
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]


def test_no_admin_page_has_inline_code(client, populated):
    client.force_login(populated.superuser)
    rendered, offenders = [], {}
    for url in admin_pages(populated.superuser):
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            rendered.append(url)
            found = inline_code(response.content.decode())
            if found:
                offenders[url] = found
    assert offenders == {}
    # The sweep really reached the pages that once had inline script.
    assert reverse("admin:django_celery_beat_periodictask_add") in rendered
    # (a change page of some periodic task: migrations may create tasks of their own)
    task = PeriodicTask.objects.order_by("pk").first()
    assert reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]) in rendered
    assert len(rendered) > 60


def test_login_and_logout_pages_have_no_inline_code(client, populated):
    login = client.get(reverse("admin:login"))
    assert login.status_code == 200
    assert inline_code(login.content.decode()) == []
    client.force_login(populated.superuser)
    logout = client.post(reverse("admin:logout"))
    assert logout.status_code == 200
    assert inline_code(logout.content.decode()) == []


def test_periodic_task_form_loads_its_script_from_a_static_file(client, populated):
    client.force_login(populated.superuser)
    page = client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    assert 'id="periodic-task-overrides" src="/static/cpo_portal/js/periodic_task_form.js"' in page
    assert 'data-crontab-help="' in page
    assert '<script id="readable-crontabs" type="application/json">' in page


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script src="/static/a.js"></script>', 0),
        ('<script type="application/json" id="x">{"a": 1}</script>', 0),
        ("<script>alert(1)</script>", 1),
        ('<script type="module">import "x"</script>', 1),
        ('<a href="#" onclick="go()">x</a>', 1),
        ('<a href=" JavaScript:go()">x</a>', 1),
        ('<form action="/admin/login/"></form>', 0),
        ("<style>p {color: red}</style>", 1),
        ('<p class="paginator" style="border-top: 0">', 1),
    ],
)
def test_the_inline_code_detector(html, found):
    assert len(inline_code(html)) == found


def test_our_simple_history_template_is_upstreams_minus_the_inline_style():
    """Fails after a django-simple-history upgrade that changed the template: re-copy it."""
    import simple_history

    name = "simple_history/object_history_list.html"
    upstream = (Path(simple_history.__file__).parent / "templates" / name).read_text()
    ours = (ROOT / "templates" / name).read_text()
    ours = ours.split("{% endcomment %}\n", 1)[1]
    changes = [  # (upstream, ours): no inline style; local minutes; no "None" reason
        (' style="border-top: 0"', ""),
        (
            "{% load getattribute from getattributes %}\n",
            "{% load getattribute from getattributes %}\n{% load cpo_format %}\n",
        ),
        ("<td>{{ record.history_date }}</td>", "<td>{{ record.history_date|local_minute }}</td>"),
        (
            "<td>\n          {{ record.history_change_reason }}\n        </td>",
            '<td>{{ record.history_change_reason|default:"" }}</td>',
        ),
    ]
    for theirs, mine in changes:
        assert upstream.count(theirs) == 1, theirs
        upstream = upstream.replace(theirs, mine)
    assert ours == upstream
