from rest_framework.routers import DefaultRouter

from buyers.api.views import BuyerViewSet
from limits.api.views import (
    CalculatorViewSet,
    CreditLimitViewSet,
    DecisionQueueViewSet,
    LimitApplicationViewSet,
    LimitDecisionViewSet,
    LimitReviewViewSet,
)
from policies.api.views import PolicyViewSet
from premiums.api.uploads import DeclarationUploadViewSet

router = DefaultRouter()
router.register("policies", PolicyViewSet, basename="policy")
router.register("buyers", BuyerViewSet, basename="buyer")
router.register("credit-limits", CreditLimitViewSet, basename="credit-limit")
router.register("limit-applications", LimitApplicationViewSet, basename="limit-application")
router.register("limit-decisions", LimitDecisionViewSet, basename="limit-decision")
router.register("limit-reviews", LimitReviewViewSet, basename="limit-review")
router.register("limit-queue", DecisionQueueViewSet, basename="limit-queue")
router.register("calculators", CalculatorViewSet, basename="calculator")
router.register("declaration-uploads", DeclarationUploadViewSet, basename="declaration-upload")

urlpatterns = router.urls
