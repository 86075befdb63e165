"""The WSGI application: Django, behind the request body limits (cpo_portal.web.body_limits)."""

import os

from django.core.wsgi import get_wsgi_application

from cpo_portal.web.body_limits import wrap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")

application = wrap(get_wsgi_application())
