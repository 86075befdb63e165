from rest_framework.routers import SimpleRouter

from .api import GridSignalViewSet

app_name = "pricing"
router = SimpleRouter()
router.register("api/grid-signals", GridSignalViewSet, basename="grid-signal")
urlpatterns = router.urls
