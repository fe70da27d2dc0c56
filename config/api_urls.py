from rest_framework.routers import DefaultRouter

from banks.api.views import AgreementViewSet, FeedViewSet, PositionViewSet
from buyers.api.views import BuyerViewSet
from claims.api.claims import ClaimViewSet, WorksheetViewSet
from claims.api.documents import ClaimDocumentViewSet
from claims.api.notices import OverdueNoticeViewSet
from deadlines.api.views import DeadlineViewSet
from documents.api.views import DocumentViewSet
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
from premiums.api.views import (
    DebitNoteViewSet,
    DeclarationViewSet,
    PaymentViewSet,
    PremiumAccountViewSet,
)

router = DefaultRouter()
router.register("policies", PolicyViewSet, basename="policy")
router.register("buyers", BuyerViewSet, basename="buyer")
router.register("credit-limits", CreditLimitViewSet, basename="credit-limit")
router.register("limit-applications", LimitApplicationViewSet, basename="limit-application")
router.register("limit-decisions", LimitDecisionViewSet, basename="limit-decision")
router.register("limit-reviews", LimitReviewViewSet, basename="limit-review")
router.register("limit-queue", DecisionQueueViewSet, basename="limit-queue")
router.register("calculators", CalculatorViewSet, basename="calculator")
router.register("declarations", DeclarationViewSet, basename="declaration")
router.register("debit-notes", DebitNoteViewSet, basename="debit-note")
router.register("payments", PaymentViewSet, basename="payment")
router.register("premium-accounts", PremiumAccountViewSet, basename="premium-account")
router.register("deadlines", DeadlineViewSet, basename="deadline")
router.register("declaration-uploads", DeclarationUploadViewSet, basename="declaration-upload")
router.register("overdue-notices", OverdueNoticeViewSet, basename="overdue-notice")
router.register("claims", ClaimViewSet, basename="claim")
router.register("claim-documents", ClaimDocumentViewSet, basename="claim-document")
router.register("worksheets", WorksheetViewSet, basename="worksheet")
router.register("documents", DocumentViewSet, basename="document")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("bank/positions", PositionViewSet, basename="bank-position")
router.register("bank/feed", FeedViewSet, basename="bank-feed")

urlpatterns = router.urls
