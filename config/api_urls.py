from rest_framework.routers import DefaultRouter

from buyers.api.views import BuyerViewSet
from policies.api.views import PolicyViewSet

router = DefaultRouter()
router.register("policies", PolicyViewSet, basename="policy")
router.register("buyers", BuyerViewSet, basename="buyer")

urlpatterns = router.urls
