"""The API docs: the OpenAPI schema and Swagger UI (drf-spectacular, its assets from
drf-spectacular-sidecar's static files, no CDN).

Swagger UI runs under the site's CSP: its start-up script is a file (the split view), the
page's own styles are a static file (templates/drf_spectacular/swagger_ui.html). Its
stylesheet draws icons from `data:` images; this page alone may load images from `data:`
(images cannot run code), every other directive stays as the site sets it.
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

DATA_IMAGES = {"img-src": ["'self'", "data:"]}

schema_view = SpectacularAPIView.as_view()
swagger_view = csp_update(DATA_IMAGES)(
    csp_update(DATA_IMAGES, REPORT_ONLY=True)(
        SpectacularSwaggerSplitView.as_view(url_name="schema")
    )
)
