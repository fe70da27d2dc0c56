"""What a binding limit action will do, in words, for its confirmation step (SPEC 5).

Each function reads the result of a dry run of the service (`core.services.dry_run`), so
the dialog states the figures the service itself computed: the effective date it chose,
whether four-eyes sends it to a second underwriter.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.mixins import Confirmation
from limits.choices import ApplicationStatus, Outcome, RequestType
from limits.rules import PENDING_ORDERS_REQUEST_DAYS


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _notice_lines(decision) -> list[str]:
    today = timezone.localdate()
    lines = []
    if decision.effective_on > today:
        lines.append(
            _("Until then the limit stays %(before)s; the change is applied on %(date)s.")
            % {"before": _money(decision.previous_amount), "date": decision.effective_on}
        )
    lines.append(
        _(
            "The insured is told now and may ask in writing for pending-orders cover within "
            "%(days)s days of the notice of %(notice)s."
        )
        % {"days": PENDING_ORDERS_REQUEST_DAYS, "notice": decision.notice_on}
    )
    return lines


def reduction_confirmation(request, limit, decision, fields) -> Confirmation:
    effects = [
        _("The limit on %(buyer)s goes from %(before)s to %(after)s for shipments after %(date)s.")
        % {
            "buyer": limit.buyer.name,
            "before": _money(decision.previous_amount),
            "after": _money(decision.amount),
            "date": decision.effective_on,
        },
        *_notice_lines(decision),
    ]
    return Confirmation(
        title=_("Reduce the limit on %(buyer)s?") % {"buyer": limit.buyer.name},
        effects=effects,
        action=request.path,
        fields=fields,
        button=_("Reduce the limit"),
        back_url=limit.get_absolute_url(),
        tone="warning",
    )


def cancellation_confirmation(request, limit, decision, fields) -> Confirmation:
    effects = [
        _("The limit of %(before)s on %(buyer)s is cancelled for shipments after %(date)s.")
        % {
            "buyer": limit.buyer.name,
            "before": _money(decision.previous_amount),
            "date": decision.effective_on,
        },
        *_notice_lines(decision),
    ]
    return Confirmation(
        title=_("Cancel the limit on %(buyer)s?") % {"buyer": limit.buyer.name},
        effects=effects,
        action=request.path,
        fields=fields,
        button=_("Cancel the limit"),
        back_url=limit.get_absolute_url(),
        tone="danger",
    )


def decision_confirmation(
    request, application, result, data, current_limit, fields
) -> Confirmation:
    """The underwriter's decision on an application, as it will land."""
    buyer, policy = application.buyer.name, str(application.policy)
    before = current_limit.amount if current_limit else None
    outcome = data["outcome"]
    amount = data.get("amount") if outcome == Outcome.PARTIAL else application.requested_amount
    terms = data.get("payment_terms_days") or application.payment_terms_days
    request_type = application.request_type
    values = {
        "buyer": buyer,
        "policy": policy,
        "before": _money(before),
        "after": _money(amount),
        "requested": _money(application.requested_amount),
        "days": terms,
        "date": data.get("expires_on") or application.requested_expires_on,
    }
    effects = []
    if outcome == Outcome.REFUSE:
        effects.append(_("The application is refused (requested %(requested)s).") % values)
        if current_limit:
            effects.append(_("The current limit of %(before)s stays as it is.") % values)
    elif request_type in (RequestType.NEW, RequestType.INCREASE):
        if current_limit:
            effects.append(
                _(
                    "The limit on %(buyer)s under policy %(policy)s goes from %(before)s to "
                    "%(after)s, payment terms %(days)s days."
                )
                % values
            )
        else:
            effects.append(
                _(
                    "%(buyer)s gets a limit of %(after)s under policy %(policy)s, payment terms "
                    "%(days)s days."
                )
                % values
            )
        if outcome == Outcome.PARTIAL:
            effects.append(
                _("That is a partial approval: %(after)s of %(requested)s requested.") % values
            )
        if data.get("expires_on"):
            effects.append(_("The limit is temporary: it expires on %(date)s.") % values)
    elif request_type == RequestType.REDUCTION:
        effects.append(_("The limit on %(buyer)s goes from %(before)s to %(after)s.") % values)
    elif request_type == RequestType.CANCELLATION:
        effects.append(_("The limit of %(before)s on %(buyer)s is cancelled.") % values)
    elif request_type == RequestType.PROLONGATION:
        effects.append(_("The limit on %(buyer)s is prolonged until %(date)s.") % values)
    if result.status == ApplicationStatus.AWAITING_SECOND_APPROVAL:
        effects.append(
            _(
                "This is above your authority of %(authority)s: it is proposed to a second "
                "underwriter, and nothing changes until they approve it."
            )
            % {"authority": _money(request.user.authority_amount)}
        )
        button = _("Propose for a second approval")
    else:
        effects.append(
            _("It takes effect today (%(today)s) and the insured is told.")
            % {"today": timezone.localdate()}
        )
        button = _("Record the decision")
    return Confirmation(
        title=_("Decide on %(buyer)s?") % {"buyer": buyer},
        effects=effects,
        action=request.path,
        fields=fields,
        button=button,
        back_url=application.get_absolute_url(),
        tone="danger" if outcome == Outcome.REFUSE else "primary",
    )
