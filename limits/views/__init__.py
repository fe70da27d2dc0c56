"""Credit-limit screens, one module per area; `limits.urls` imports them from here."""

from limits.views.applications import (
    ApplicationActionView,
    ApplicationApproveView,
    ApplicationDecideView,
    ApplicationEditView,
    ApplicationReturnView,
    ApplicationSendBackView,
    ApplicationSubmitView,
    ApplicationWithdrawView,
    LimitApplicationCreateView,
    LimitApplicationDetailView,
    LimitApplicationListView,
)
from limits.views.calculators import (
    PeakCalculatorView,
    TurnoverCalculatorView,
)
from limits.views.credit_limits import (
    CreditLimitDetailView,
    CreditLimitListView,
    DiscretionaryLimitView,
    LimitCancelView,
    LimitReduceView,
)
from limits.views.pending_orders import (
    PendingOrdersRequestView,
)
from limits.views.portfolio import PortfolioReportView
from limits.views.queue import (
    DecisionQueueView,
    ReviewCompleteView,
    ReviewListView,
)

__all__ = [
    "PortfolioReportView",
    "CreditLimitListView",
    "CreditLimitDetailView",
    "LimitReduceView",
    "LimitCancelView",
    "DiscretionaryLimitView",
    "LimitApplicationListView",
    "LimitApplicationCreateView",
    "LimitApplicationDetailView",
    "ApplicationActionView",
    "ApplicationSubmitView",
    "ApplicationWithdrawView",
    "ApplicationApproveView",
    "ApplicationEditView",
    "ApplicationReturnView",
    "ApplicationSendBackView",
    "ApplicationDecideView",
    "DecisionQueueView",
    "ReviewListView",
    "ReviewCompleteView",
    "PendingOrdersRequestView",
    "TurnoverCalculatorView",
    "PeakCalculatorView",
]
