"""A realistic portfolio at insurer scale, loaded fast (issue 10, `manage.py scale_data`).

Buyers with valid USCCs and varied Chinese names (`demo.names`), insureds with users,
policies (the current year, and the year before for the renewed ones), credit limits
with their decision histories, decision-queue applications, turnover declarations,
overdue notices with invoices and the claims opened from them. Every row is what the
services would have left (SPEC 3-7): each status has its status-change rows from ""
(the transition tables of each app's `choices.py`), a limit's history is its chain of
decisions (SPEC 5), a filed notice has suspended the limit it is about (SPEC 7), no
buyer's aggregate exposure exceeds its grade's capacity and grades 8-10 and public bodies
hold no limit (SPEC 4), every declaration is of an ended policy quarter (SPEC 6).

Not generated: audit (pghistory) rows, deadlines, premium accounts and debit notes,
documents, notifications, negative events and reviews. Deterministic for a seed and an
`as_of` date. All in one transaction: a failed load leaves nothing.
"""

import math
import random
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from buyers.models import Buyer, BuyerCapacity
from claims.choices import ClaimAction, ClaimCause, ClaimStatus, NoticeAction, NoticeStatus
from claims.models import Claim, ClaimStatusChange, NoticeInvoice, NoticeStatusChange, OverdueNotice
from claims.services.claims import JOB_WAITING
from demo.bulk import load_table, reserve_ids
from demo.names import CompanyGenerator, company_uscc
from limits.choices import (
    ApplicationAction,
    ApplicationStatus,
    LimitAction,
    LimitSource,
    LimitStatus,
    ReasonCode,
    RequestType,
    ResponseCode,
)
from limits.exposure import exposure_rebuild
from limits.models import (
    ApplicationStatusChange,
    CreditLimit,
    CreditLimitChange,
    LimitApplication,
    LimitDecision,
)
from limits.rules import add_months
from limits.services.changes import JOB_CARRY_OVER, JOB_NOTICE, JOB_POLICY_END
from policies.choices import PolicyAction, PolicyStatus
from policies.models import Policy, PolicyTransition
from policies.rules import maximum_liability, minimum_premium
from policies.services import JOB_EXPIRE, JOB_RENEW
from premiums.choices import DeclarationAction, DeclarationStatus
from premiums.models import Declaration, DeclarationStatusChange
from premiums.rules import declaration_due_on, policy_quarters

# SPEC 4: maximum aggregate exposure per buyer by grade; 8-10 get no new limits.
CAPACITY_BY_GRADE = {1: 500_000_000, 2: 300_000_000, 3: 200_000_000, 4: 100_000_000,
                     5: 50_000_000, 6: 20_000_000, 7: 10_000_000, 8: 0, 9: 0, 10: 0}  # fmt: skip
GRADE_WEIGHTS = (3, 7, 15, 22, 25, 14, 8, 3, 2, 1)
RENEWED_SHARE = 0.3  # of the policies: last year's, renewed into this year's
QUOTED_SHARE = 0.03  # of this year's new proposals: quoted, not yet in force
CARRIED_SHARE = 0.4  # of a renewed policy's limits: carried over from last year
CHANGED_SHARE = 0.15  # of this year's limits: a later decision raised or cut it
CANCELLED_SHARE = 0.03
FILED_SHARE, DRAFT_SHARE = 0.7, 0.2  # of the notices; the rest were discarded
NOTICE_MIN_POLICY_AGE = 150  # days: a notice needs a shipment, its terms and the delay
STAFF = ((Role.UNDERWRITER, 20, 5_000_000), (Role.SENIOR_UNDERWRITER, 5, 50_000_000),
         (Role.CLAIMS_HANDLER, 10, 2_000_000), (Role.CLAIMS_MANAGER, 2, 20_000_000))  # fmt: skip
STATUS_CHANGE = ("id", None, "action", "from_status", "to_status", "actor_id", "job", "reason",
                 "created_at")  # fmt: skip


@dataclass(frozen=True)
class Scale:
    buyers: int = 1_000_000
    policies: int = 10_000
    limits: int = 1_000_000
    applications: int = 2_000
    declarations: int = 40_000
    notices: int = 20_000
    claims: int = 10_000


def change_columns(fk: str, *extra: str) -> tuple[str, ...]:
    return tuple(fk if c is None else c for c in STATUS_CHANGE) + extra


def money(value: int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def round_to(value: float, step: int) -> int:
    return max(step, int(value) // step * step)


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


class World:
    """Generates and loads the world; `load()` returns the per-table timings."""

    def __init__(self, *, scale: Scale, seed: int, as_of: date, report):
        self.scale, self.seed, self.as_of, self.report = scale, seed, as_of, report
        self.tz = timezone.get_current_timezone()
        self.tables: list[tuple[str, int, float, float]] = []

    def rng(self, stream: int) -> random.Random:
        """One random stream per table, so that changing one part changes no other."""
        return random.Random(self.seed * 1_000 + stream)

    @cache  # noqa: B019 (one World per load)
    def at(self, day: date, minute: int = 0) -> datetime:
        return datetime.combine(day, time(9), tzinfo=self.tz) + timedelta(minutes=minute)

    def table(self, model, columns, rows) -> int:
        return load_table(model, columns, rows, report=self.report)

    def load(self) -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            self.load_capacities_and_staff()
            self.load_buyers()
            self.load_insureds()
            self.load_policies()
            self.plan_limits()
            self.plan_notices()
            self.load_limits()
            self.load_applications()
            self.load_declarations()
            self.load_notices_and_claims()
            with connection.cursor() as cursor:  # back to normal for the rest of a test
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    # --- the insurer -------------------------------------------------------------------

    def load_capacities_and_staff(self) -> None:
        existing = dict(BuyerCapacity.objects.values_list("risk_grade", "max_exposure"))
        missing = [g for g in CAPACITY_BY_GRADE if g not in existing]
        if missing:
            first = reserve_ids(BuyerCapacity, len(missing))
            self.table(BuyerCapacity, ("id", "risk_grade", "max_exposure"),
                       ((first + i, g, money(CAPACITY_BY_GRADE[g])) for i, g in enumerate(missing)))  # fmt: skip
        self.capacity = {g: int(existing.get(g, CAPACITY_BY_GRADE[g])) for g in CAPACITY_BY_GRADE}
        insurer = Organisation.objects.filter(kind=OrganisationKind.INSURER).first()
        if insurer is None:
            insurer_id = reserve_ids(Organisation, 1)
            self.table(Organisation, ("id", "kind", "name"),
                       [(insurer_id, OrganisationKind.INSURER, "国信信用保险股份有限公司")])  # fmt: skip
        else:
            insurer_id = insurer.pk
        count = sum(n for _role, n, _authority in STAFF)
        first = reserve_ids(User, count)
        rows, self.staff = [], {}
        for role, n, authority in STAFF:
            for _ in range(n):
                user_id = first + len(rows)
                self.staff.setdefault(role, []).append(user_id)
                rows.append((user_id, f"scale-{role}-{user_id}", "!", insurer_id, role,
                             money(authority), True))  # fmt: skip
        self.table(User, ("id", "username", "password", "organisation_id", "role",
                          "authority_amount", "is_active"), rows)  # fmt: skip

    # --- buyers ----------------------------------------------------------------------

    def load_buyers(self) -> None:
        """The register. `grades` keeps each buyer's grade for the limits, 0 when it may
        hold none (grades 8-10, public bodies); ids are `buyer_base + index`."""
        n = self.scale.buyers
        rng = self.rng(1)
        self.buyer_base = reserve_ids(Buyer, n)
        self.grades = bytearray(n)
        companies = CompanyGenerator(rng)
        grades = [g for g, w in zip(range(1, 11), GRADE_WEIGHTS, strict=True) for _ in range(w)]

        def rows():
            for i in range(n):
                c = companies.company(self.buyer_base + i)
                grade = rng.choice(grades)
                status = "insolvent" if grade == 10 and rng.random() < 0.5 else "active"
                if grade <= 7 and not c.is_public_body:
                    self.grades[i] = grade
                yield (self.buyer_base + i, c.uscc, c.name, c.former_names, c.address, c.region,
                       c.industry, c.registered_capital, c.founded_on, status, grade,
                       c.is_public_body)  # fmt: skip

        self.table(Buyer, ("id", "uscc", "name", "former_names", "address", "region", "industry",
                           "registered_capital", "founded_on", "status", "risk_grade",
                           "is_public_body"), rows())  # fmt: skip

    # --- insureds and policies -----------------------------------------------------------

    def load_insureds(self) -> None:
        """One insured per policy number, each with a clerk and an approver (SPEC 2)."""
        self.renewed = int(self.scale.policies * RENEWED_SHARE / (1 + RENEWED_SHARE))
        self.insureds = self.scale.policies - self.renewed
        rng = self.rng(2)
        companies = CompanyGenerator(rng, near_duplicate_share=0, public_body_share=0)
        self.org_base = reserve_ids(Organisation, self.insureds)
        rows = []
        for i in range(self.insureds):
            c = companies.company(i)
            while c.industry in {"E", "K"}:  # SPEC 3.1: not accepted as insureds
                c = companies.company(i)
            org_id = self.org_base + i
            uscc = company_uscc(c.uscc[2:8], 90_000_000 + org_id, new_style=False)
            rows.append((org_id, OrganisationKind.INSURED, c.name, uscc, c.address, c.region,
                         c.industry, c.founded_on))  # fmt: skip
        self.table(Organisation, ("id", "kind", "name", "uscc", "address", "region", "industry",
                                  "founded_on"), rows)  # fmt: skip
        self.user_base = reserve_ids(User, 2 * self.insureds)  # clerk 2i, approver 2i + 1
        self.table(User, ("id", "username", "password", "organisation_id", "role", "is_active"), (
            (self.user_base + 2 * i + k, f"s{self.org_base + i}-{role}", "!", self.org_base + i,
             role, True)
            for i in range(self.insureds) for k, role in enumerate((Role.CLERK, Role.APPROVER))
        ))  # fmt: skip

    def clerk(self, insured: int) -> int:
        return self.user_base + 2 * insured

    def approver(self, insured: int) -> int:
        return self.user_base + 2 * insured + 1

    def load_policies(self) -> None:
        """This year's policy of every insured (ids `policy_base + i`); the first
        `renewed` insureds also had last year's (ids after them), now expired and renewed
        (SPEC 3.3). A few new proposals are quoted, starting next month."""
        rng = self.rng(3)
        first_of_month = self.as_of.replace(day=1)
        self.policy_base = reserve_ids(Policy, self.scale.policies)
        self.periods: list[tuple[date, date]] = []
        self.in_force = bytearray(self.insureds)
        underwriters = self.staff[Role.UNDERWRITER]
        rows, transitions = [], []

        def schedule(start, end, status, year, renewed_from, insured):
            turnover = round_to(log_uniform(rng, 20e6, 2e9), 10_000)
            rate = Decimal(rng.randrange(30, 81, 5)) / 100
            minimum = minimum_premium(
                estimated_annual_turnover=money(turnover), premium_rate_percent=rate
            )
            return (status, f"TCI{self.org_base + insured:08d}", year, renewed_from,
                    self.org_base + insured, start, end, money(turnover), rate, minimum,
                    maximum_liability(minimum_premium=minimum, multiple=50),
                    money(round_to(turnover * 1.2, 10_000)), rng.choice(underwriters))  # fmt: skip

        def moves(policy_id, start, steps):
            for k, (action, source, target, actor, job) in enumerate(steps):
                transitions.append((None, policy_id, action, source, target, actor, job, "",
                                    self.at(start - timedelta(days=30 - k))))  # fmt: skip

        S, A = PolicyStatus, PolicyAction
        for i in range(self.insureds):
            policy_id, uw = self.policy_base + i, rng.choice(underwriters)
            quoted = i >= self.renewed and rng.random() < QUOTED_SHARE
            start = add_months(first_of_month, 1 if quoted else -rng.randint(0, 11))
            end = add_months(start, 12) - timedelta(days=1)
            self.periods.append((start, end))
            if quoted:
                rows.append((policy_id, *schedule(start, end, S.QUOTED, 1, None, i)))
                moves(
                    policy_id,
                    start,
                    [(A.CREATE, "", S.DRAFT, uw, ""), (A.QUOTE, S.DRAFT, S.QUOTED, uw, "")],
                )
                continue
            self.in_force[i] = 1
            if i < self.renewed:
                previous_id = self.policy_base + self.insureds + i
                rows.append((policy_id, *schedule(start, end, S.IN_FORCE, 2, previous_id, i)))
                moves(policy_id, start, [(A.RENEW, "", S.QUOTED, None, JOB_RENEW),
                                         (A.ISSUE, S.QUOTED, S.IN_FORCE, None, JOB_EXPIRE)])  # fmt: skip
            else:
                rows.append((policy_id, *schedule(start, end, S.IN_FORCE, 1, None, i)))
                moves(policy_id, start, [(A.CREATE, "", S.DRAFT, uw, ""), (A.QUOTE, S.DRAFT, S.QUOTED, uw, ""),
                                         (A.ISSUE, S.QUOTED, S.IN_FORCE, uw, "")])  # fmt: skip
        for i in range(self.renewed):
            start = add_months(self.periods[i][0], -12)
            end, uw = self.periods[i][0] - timedelta(days=1), rng.choice(underwriters)
            self.periods.append((start, end))
            rows.append(
                (self.policy_base + self.insureds + i, *schedule(start, end, S.EXPIRED, 1, None, i))
            )
            moves(self.policy_base + self.insureds + i, start, [
                (A.CREATE, "", S.DRAFT, uw, ""), (A.QUOTE, S.DRAFT, S.QUOTED, uw, ""),
                (A.ISSUE, S.QUOTED, S.IN_FORCE, uw, "")])  # fmt: skip
            transitions.append((None, self.policy_base + self.insureds + i, A.EXPIRE, S.IN_FORCE, S.EXPIRED,
                                None, JOB_EXPIRE, "", self.at(end + timedelta(days=1))))  # fmt: skip
        self.table(Policy, ("id", "status", "policy_number", "year_index", "renewed_from_id",
                            "insured_id", "period_start", "period_end", "estimated_annual_turnover",
                            "premium_rate_percent", "minimum_premium", "max_liability",
                            "annual_credit_turnover", "created_by_id"), rows)  # fmt: skip
        first = reserve_ids(PolicyTransition, len(transitions))
        self.table(PolicyTransition, change_columns("policy_id"),
                   ((first + k, *row[1:]) for k, row in enumerate(transitions)))  # fmt: skip
        self.turnover = {row[0]: row[8] for row in rows}

    # --- credit limits ---------------------------------------------------------------

    def plan_limits(self) -> None:
        """How many limits each policy holds (a few large books, many small ones): this
        year's on in-force policies, and for a renewed policy last year's, of which this
        year's first ones are the carry-overs. Ordinals run policy by policy: last
        year's block, then this year's; limit id = `limit_base + ordinal`."""
        rng = self.rng(4)
        total = self.scale.limits
        weights = [rng.paretovariate(1.3) * self.in_force[i] for i in range(self.insureds)]
        shares = [w * (1 + CARRIED_SHARE if i < self.renewed else 1) for i, w in enumerate(weights)]
        scale = total / (sum(shares) or 1)
        self.current = [0] * self.insureds
        self.previous = [0] * self.insureds
        for i, share in enumerate(shares):
            slots = int(share * scale)
            self.current[i] = round(slots / (1 + CARRIED_SHARE)) if i < self.renewed else slots
            self.previous[i] = slots - self.current[i]
        order = sorted(range(self.insureds), key=lambda i: -shares[i])
        short = total - sum(self.current) - sum(self.previous)
        for k in range(short):  # the rounding remainder goes to the largest books
            self.current[order[k % len(order)]] += 1
        self.limit_base = reserve_ids(CreditLimit, total)
        self.fresh = array(
            "l", (b for b in range(self.scale.buyers) if b % 53 == 7 and self.grades[b])
        )
        self.eligible = array(
            "l", (b for b in range(self.scale.buyers) if b % 53 != 7 and self.grades[b])
        )
        if max(self.current, default=0) > len(self.eligible) // 2:
            raise ValueError(
                "Too few buyers for the largest policy's limits: add buyers or cut limits."
            )
        self.popular = self.eligible[::100]

    def plan_notices(self) -> None:
        """Which of this year's limits an overdue notice is about (policies at least
        150 days old), in which status, with which dates (SPEC 7: the notice is due 60
        days after the earliest original due date)."""
        rng, today = self.rng(5), self.as_of
        ranges, ordinal = [], 0  # (first ordinal, count, insured)
        for i in range(self.insureds):
            ordinal += self.previous[i]
            if self.in_force[i] and (today - self.periods[i][0]).days >= NOTICE_MIN_POLICY_AGE:
                ranges.append((ordinal, self.current[i], i))
            ordinal += self.current[i]
        starts = array("l", [0])
        for _first, count, _i in ranges:
            starts.append(starts[-1] + count)
        wanted = self.scale.notices
        if wanted > starts[-1]:
            raise ValueError(
                f"Only {starts[-1]:,} limits can have a notice; ask for fewer notices."
            )
        self.ref_base = {}
        with connection.cursor() as cursor:
            for prefix, sequence, count in (("ON", "claims_notice_seq", wanted),
                                            ("CL", "claims_claim_seq", self.scale.claims)):  # fmt: skip
                cursor.execute("SELECT nextval(%s)", [sequence])
                (self.ref_base[prefix],) = cursor.fetchone()
                if count > 1:
                    cursor.execute(
                        "SELECT setval(%s, %s)", [sequence, self.ref_base[prefix] + count - 1]
                    )
        self.notice_plans = {}
        for n, k in enumerate(sorted(rng.sample(range(starts[-1]), wanted))):
            r = bisect_right(starts, k) - 1
            first, _count, insured = ranges[r]
            start = self.periods[insured][0]
            due = start + timedelta(days=70 + rng.randint(0, (today - start).days - 80))
            roll = rng.random()
            status = (NoticeStatus.FILED if roll < FILED_SHARE else
                      NoticeStatus.DRAFT if roll < FILED_SHARE + DRAFT_SHARE else NoticeStatus.DISCARDED)  # fmt: skip
            prepared = min(today, due + timedelta(days=rng.randint(1, 10)))
            acted = min(today, prepared + timedelta(days=rng.randint(5, 65)))
            reference = f"ON{prepared:%Y}{self.ref_base['ON'] + n:06d}"
            self.notice_plans[first + k - starts[r]] = (
                reference,
                status,
                due,
                prepared,
                acted,
                insured,
            )
        self.notice_limits = {}

    def limit_plans(self):
        """Every limit with its history, the same on every call (one pass per table)."""
        rng, today = self.rng(6), self.as_of
        exposure = array("q", bytes(8 * self.scale.buyers))
        underwriters, seniors = self.staff[Role.UNDERWRITER], self.staff[Role.SENIOR_UNDERWRITER]
        eligible, popular = self.eligible, self.popular
        decisions = changes = ordinal = 0
        suspend_reason = "逾期账款通知书 {} 已提交。"  # as limits_suspend_for_notice writes it

        def decide(amount, requested, on, response, request_type, previous=None):
            nonlocal decisions
            decisions += 1
            automatic = (
                response == ResponseCode.APPROVED
                and amount
                and amount <= 500_000
                and rng.random() < 0.5
            )
            decided_by = None if automatic else rng.choice(underwriters)
            approved_by = (
                rng.choice(seniors) if not automatic and (amount or 0) > 5_000_000 else None
            )
            return (decisions - 1, request_type, response, requested, amount, previous, on, decided_by,
                    approved_by, bool(automatic))  # fmt: skip

        def event(action, source, target, amount, on, decision=None, actor=None, job="", reason=""):
            nonlocal changes
            changes += 1
            if decision is not None:
                actor = decision[7]
                job = "automatic-decision" if decision[9] else ""
            return (changes - 1, action, source, target, amount, on, decision, actor, job, reason)

        def grant(amount, on):
            requested = (
                amount if rng.random() < 0.8 else round_to(amount * rng.uniform(1.25, 2), 10_000)
            )
            response = (
                ResponseCode.APPROVED if requested == amount else ResponseCode.PARTLY_APPROVED
            )
            decision = decide(amount, requested, on, response, RequestType.NEW)
            return event(LimitAction.GRANT, "", LimitStatus.ACTIVE, amount, on, decision)

        for i in range(self.insureds):
            if not (self.current[i] or self.previous[i]):
                continue
            start, end = self.periods[i]
            chosen, attempts = {}, 0
            while len(chosen) < self.current[i]:
                attempts += 1
                if attempts > 50 * self.current[i] + 1_000:
                    raise ValueError("Buyers are too few for these limits within capacity.")
                b = (
                    popular[rng.randrange(len(popular))]
                    if rng.random() < 0.3
                    else eligible[rng.randrange(len(eligible))]
                )
                if b in chosen:
                    continue
                room = self.capacity[self.grades[b]] - exposure[b]
                amount = min(
                    round_to(log_uniform(rng, 1e5, 1.5e7), 10_000), room // 10_000 * 10_000
                )
                if amount < 100_000:
                    continue
                chosen[b] = amount
                exposure[b] += amount  # taken now; given back if the limit ends
            slots = list(chosen.items())
            policy_id = self.policy_base + i
            previous_id = self.policy_base + self.insureds + i
            carried = {}
            for b, amount in slots[: self.previous[i]]:  # last year's, ended with the policy
                granted = add_months(start, -12) + timedelta(days=rng.randint(0, 200))
                events = [grant(amount, granted),
                          event(LimitAction.END_WITH_POLICY, LimitStatus.ACTIVE, LimitStatus.EXPIRED, None,
                                start, job=JOB_POLICY_END)]  # fmt: skip
                carried[b] = self.limit_base + ordinal
                yield (self.limit_base + ordinal, previous_id, b, amount, 60, LimitStatus.EXPIRED,
                       granted, None, start, None), events  # fmt: skip
                ordinal += 1
            for b, amount in slots:
                terms = 60 if rng.random() < 0.7 else 90
                notice = self.notice_plans.get(ordinal)
                if b in carried:
                    events = [
                        event(
                            LimitAction.CARRY_OVER,
                            "",
                            LimitStatus.ACTIVE,
                            amount,
                            start,
                            job=JOB_CARRY_OVER,
                        )
                    ]
                    granted = start
                else:
                    granted = (
                        start
                        if notice or rng.random() < 0.4
                        else start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
                    )
                    events = [grant(amount, granted)]
                status, ended, final = LimitStatus.ACTIVE, None, amount
                later = (today - granted).days
                roll = rng.random()
                if notice:
                    terms = 60
                    self.notice_limits[ordinal] = (policy_id, self.buyer_base + b, amount)
                    if notice[1] == NoticeStatus.FILED:
                        status = LimitStatus.SUSPENDED
                        events.append(event(LimitAction.SUSPEND, LimitStatus.ACTIVE, status, amount,
                                            notice[4] + timedelta(days=1), job=JOB_NOTICE,
                                            reason=suspend_reason.format(notice[0])))  # fmt: skip
                elif roll < CANCELLED_SHARE and later > 1:
                    on = granted + timedelta(days=rng.randint(1, later))
                    decision = decide(None, None, on, ResponseCode.CANCELLATION, "", amount)
                    events.append(event(LimitAction.CANCEL, LimitStatus.ACTIVE, LimitStatus.CANCELLED, None,
                                        on, decision))  # fmt: skip
                    status, ended = LimitStatus.CANCELLED, on
                    exposure[b] -= amount
                elif roll < CANCELLED_SHARE + CHANGED_SHARE and later > 30:
                    on = granted + timedelta(days=rng.randint(30, later))
                    if rng.random() < 0.6:
                        final = round_to(amount * rng.uniform(0.5, 0.9), 10_000)
                        decision = decide(final, None, on, ResponseCode.REDUCTION, "", amount)
                        events.append(
                            event(LimitAction.REDUCE, status, status, final, on, decision)
                        )
                    else:
                        room = self.capacity[self.grades[b]] - exposure[b]
                        final = amount + min(
                            round_to(amount * rng.uniform(0.2, 1), 10_000), room // 10_000 * 10_000
                        )
                        if final > amount:  # no room left under the capacity: no increase
                            decision = decide(
                                final, final, on, ResponseCode.APPROVED, RequestType.INCREASE,
                                amount,
                            )  # fmt: skip
                            events.append(
                                event(LimitAction.GRANT, status, status, final, on, decision)
                            )
                    exposure[b] += final - amount
                review = add_months(granted, 12) if status == LimitStatus.ACTIVE else None
                yield (self.limit_base + ordinal, policy_id, b, final, terms, status, granted, review, ended,
                       carried.get(b)), events  # fmt: skip
                ordinal += 1
        self.decision_count, self.change_count = decisions, changes

    def load_limits(self) -> None:
        self.table(CreditLimit, ("id", "policy_id", "buyer_id", "amount", "payment_terms_days", "status",
                                 "source", "effective_from", "next_review_on", "ended_on",
                                 "carried_over_from_id", "created_at"), (
            (limit_id, policy_id, self.buyer_base + b, money(amount), terms, status, LimitSource.INSURER,
             granted, review, ended, carried, self.at(granted))
            for (limit_id, policy_id, b, amount, terms, status, granted, review, ended, carried), _e
            in self.limit_plans()
        ))  # fmt: skip
        decision_base = reserve_ids(LimitDecision, self.decision_count)

        def decisions():
            for (limit_id, policy_id, b, _amount, terms, *_rest), events in self.limit_plans():
                for _n, _action, _s, _t, _amount_after, on, d, *_ in events:
                    if d is None:
                        continue
                    (
                        offset,
                        request_type,
                        response,
                        requested,
                        amount,
                        previous,
                        on,
                        by,
                        approver,
                        auto,
                    ) = d
                    yield (decision_base + offset, policy_id, self.buyer_base + b, limit_id, request_type,
                           response, ReasonCode.NO_COMMENT, money(requested) if requested else None,
                           money(amount) if amount is not None else None,
                           money(previous) if previous else None, terms, on, on, by, approver, auto,
                           self.at(on, 1))  # fmt: skip

        self.table(LimitDecision, ("id", "policy_id", "buyer_id", "credit_limit_id", "request_type",
                                   "response_code", "reason_code", "requested_amount", "amount",
                                   "previous_amount", "payment_terms_days", "notice_on", "effective_on",
                                   "decided_by_id", "approved_by_id", "automatic", "created_at"),
                   decisions())  # fmt: skip
        change_base = reserve_ids(CreditLimitChange, self.change_count)
        decision_type = ContentType.objects.get_for_model(LimitDecision).pk

        def changes():
            for (limit_id, _p, _b, _amount, terms, *_rest), events in self.limit_plans():
                for offset, action, source, target, amount, on, d, actor, job, reason in events:
                    decision_id = decision_base + d[0] if d else None
                    yield (change_base + offset, limit_id, action, source, target, actor, job, reason,
                           self.at(on, 2), money(amount) if amount is not None else None,
                           terms if amount is not None else None, on, decision_id,
                           decision_type if d else None, decision_id)  # fmt: skip

        self.table(CreditLimitChange, change_columns("credit_limit_id", "amount", "payment_terms_days",
                                                     "effective_on", "decision_id", "cause_type_id",
                                                     "cause_id"), changes())  # fmt: skip

        # --- the decision queue ----------------------------------------------------------
        exposure_rebuild()  # the buyers' stored totals: this load ran with triggers off

    def load_applications(self) -> None:
        """Submitted applications waiting for an underwriter (SPEC 5), for buyers kept
        out of the portfolio (a new limit), at most one open per policy and buyer."""
        rng, today = self.rng(7), self.as_of
        policies = [i for i in range(self.insureds) if self.in_force[i]]
        if not self.scale.applications:
            return
        if not policies or not self.fresh:
            raise ValueError("Applications need in-force policies and buyers.")
        pairs = set()
        while len(pairs) < self.scale.applications:
            pairs.add((rng.choice(policies), self.fresh[rng.randrange(len(self.fresh))]))
        first = reserve_ids(LimitApplication, len(pairs))
        rows, changes = [], []
        for n, (i, b) in enumerate(sorted(pairs)):
            submitted = self.at(today - timedelta(days=rng.randint(0, 25)), rng.randint(0, 480))
            prepared = submitted - timedelta(days=1)
            rows.append((first + n, self.policy_base + i, self.buyer_base + b, RequestType.NEW,
                         ApplicationStatus.SUBMITTED, money(round_to(log_uniform(rng, 1e5, 8e6), 10_000)),
                         60, self.clerk(i), self.approver(i), submitted, prepared))  # fmt: skip
            changes.append(
                (
                    first + n,
                    ApplicationAction.CREATE,
                    "",
                    ApplicationStatus.DRAFT,
                    self.clerk(i),
                    prepared,
                )
            )
            changes.append((first + n, ApplicationAction.SUBMIT, ApplicationStatus.DRAFT,
                            ApplicationStatus.SUBMITTED, self.approver(i), submitted))  # fmt: skip
        self.table(LimitApplication, ("id", "policy_id", "buyer_id", "request_type", "status",
                                      "requested_amount", "payment_terms_days", "prepared_by_id",
                                      "submitted_by_id", "submitted_at", "created_at"), rows)  # fmt: skip
        change_first = reserve_ids(ApplicationStatusChange, len(changes))
        self.table(ApplicationStatusChange, change_columns("application_id"), (
            (change_first + k, app, action, source, target, actor, "", "", at)
            for k, (app, action, source, target, actor, at) in enumerate(changes)
        ))  # fmt: skip

    # --- declarations ----------------------------------------------------------------

    def load_declarations(self) -> None:
        """Declarations of ended policy quarters (SPEC 6), submitted by the insured's
        approver within about 25 days of the quarter's end (some late); when more are
        asked for than quarters have ended, the rest are corrections: a new version with
        a reason, the earlier one superseded."""
        rng, today = self.rng(8), self.as_of
        quarters = []  # (insured, policy id, quarter, submitted on, quarterly turnover)
        for p in range(self.scale.policies):
            insured = p if p < self.insureds else p - self.insureds
            if p < self.insureds and not self.in_force[p]:
                continue
            start, end = self.periods[p]
            for q in policy_quarters(period_start=start, period_end=end):
                submitted = q.end + timedelta(days=rng.randint(1, 25))
                if submitted <= today:
                    quarters.append((insured, self.policy_base + p, q, submitted))
        rng.shuffle(quarters)
        wanted = self.scale.declarations
        if wanted and not quarters:
            raise ValueError("No policy quarter has ended yet: no declarations.")
        versions = [0] * len(quarters)
        for k in range(wanted):
            versions[k % len(quarters)] += 1
        rows, changes, first = [], [], reserve_ids(Declaration, wanted)
        for (insured, policy_id, q, submitted), count in zip(quarters, versions, strict=True):
            due = declaration_due_on(quarter_end=q.end, deadline_days=15)
            base = self.turnover[policy_id] / 4
            turnover = (
                Decimal(0)
                if rng.random() < 0.03
                else (base * Decimal(rng.uniform(0.6, 1.4))).quantize(Decimal("0.01"))
            )
            on = submitted
            for version in range(1, count + 1):
                declaration_id = first + len(rows)
                if version > 1:
                    on = min(today, on + timedelta(days=rng.randint(5, 30)))
                    changes.append((declaration_id - 1, DeclarationAction.SUPERSEDE, DeclarationStatus.SUBMITTED,
                                    DeclarationStatus.SUPERSEDED, self.approver(insured), self.at(on, 2 * version - 1)))  # fmt: skip
                    if turnover:
                        turnover = (turnover * Decimal(rng.uniform(0.9, 1.1))).quantize(
                            Decimal("0.01")
                        )
                status = (
                    DeclarationStatus.SUBMITTED
                    if version == count
                    else DeclarationStatus.SUPERSEDED
                )
                rows.append((declaration_id, policy_id, q.index, q.start, q.end, due, version, turnover,
                             turnover == 0, version > 1, "更正申报金额" if version > 1 else "", status,
                             self.clerk(insured), self.approver(insured), on, max(0, (on - due).days),
                             self.at(on)))  # fmt: skip
                changes.append((declaration_id, DeclarationAction.DECLARE, "", DeclarationStatus.SUBMITTED,
                                self.approver(insured), self.at(on, 2 * version)))  # fmt: skip
        self.table(Declaration, ("id", "policy_id", "quarter", "quarter_start", "quarter_end", "due_on",
                                 "version", "turnover", "nil", "is_correction", "correction_reason",
                                 "status", "prepared_by_id", "submitted_by_id", "submitted_on",
                                 "days_late", "created_at"), rows)  # fmt: skip
        change_first = reserve_ids(DeclarationStatusChange, len(changes))
        self.table(DeclarationStatusChange, change_columns("declaration_id"), (
            (change_first + k, d, action, source, target, actor, "", "", at)
            for k, (d, action, source, target, actor, at) in enumerate(changes)
        ))  # fmt: skip

    # --- overdue notices and claims ----------------------------------------------------

    def load_notices_and_claims(self) -> None:
        """The notices planned with the limits, 1-3 unpaid invoices each (shipped under
        the limit's 60-day terms), and claims opened on the filed ones (SPEC 7): some
        still collecting documents, some in the 5-month waiting period, some past it
        and in assessment."""
        rng, today = self.rng(9), self.as_of
        notice_first = reserve_ids(OverdueNotice, len(self.notice_plans))
        notices, invoices, changes, filed = [], [], [], []
        for n, (ordinal, (reference, status, due, prepared, acted, insured)) in enumerate(
            sorted(self.notice_plans.items())
        ):
            notice_id = notice_first + n
            policy_id, buyer_id, amount = self.notice_limits[ordinal]
            deadline = due + timedelta(days=60)
            is_filed = status == NoticeStatus.FILED
            notices.append((notice_id, reference, policy_id, buyer_id, status, deadline,
                            acted if is_filed else None, max(0, (acted - deadline).days) if is_filed else 0,
                            self.clerk(insured), self.approver(insured) if is_filed else None,
                            self.at(prepared)))  # fmt: skip
            for j in range(rng.randint(1, 3)):
                original = due + timedelta(days=7 * j)
                if original > today:
                    break
                shipped = original - timedelta(days=60)
                invoices.append((notice_id, f"{rng.randint(10**7, 10**8 - 1)}-{j + 1}", shipped, shipped,
                                 money(round_to(amount * rng.uniform(0.05, 0.3), 1_000)), original))  # fmt: skip
            changes.append((notice_id, NoticeAction.PREPARE, "", NoticeStatus.DRAFT, self.clerk(insured),
                            self.at(prepared)))  # fmt: skip
            if status != NoticeStatus.DRAFT:
                action = NoticeAction.FILE if is_filed else NoticeAction.DISCARD
                changes.append((notice_id, action, NoticeStatus.DRAFT, status, self.approver(insured),
                                self.at(acted, 1)))  # fmt: skip
            if is_filed:
                filed.append((notice_id, policy_id, buyer_id, acted, insured))
        self.table(OverdueNotice, ("id", "reference", "policy_id", "buyer_id", "status", "deadline_on",
                                   "filed_on", "days_late", "prepared_by_id", "filed_by_id", "created_at"),
                   notices)  # fmt: skip
        invoice_first = reserve_ids(NoticeInvoice, len(invoices))
        self.table(NoticeInvoice, ("id", "notice_id", "number", "invoice_date", "shipment_date", "amount",
                                   "original_due_date"),
                   ((invoice_first + k, *row) for k, row in enumerate(invoices)))  # fmt: skip
        change_first = reserve_ids(NoticeStatusChange, len(changes))
        self.table(NoticeStatusChange, change_columns("notice_id"), (
            (change_first + k, notice, action, source, target, actor, "", "", at)
            for k, (notice, action, source, target, actor, at) in enumerate(changes)
        ))  # fmt: skip
        self.load_claims(rng.sample(filed, min(self.scale.claims, len(filed))), rng)

    def load_claims(self, filed, rng) -> None:
        today, handlers = self.as_of, self.staff[Role.CLAIMS_HANDLER]
        first = reserve_ids(Claim, len(filed))
        claims, changes = [], []
        S, A = ClaimStatus, ClaimAction
        for n, (notice_id, policy_id, buyer_id, filed_on, insured) in enumerate(sorted(filed)):
            claim_id, handler = first + n, rng.choice(handlers)
            opened = min(today, filed_on + timedelta(days=rng.randint(1, 20)))
            cause = ClaimCause.INSOLVENCY if rng.random() < 0.1 else ClaimCause.PROTRACTED_DEFAULT
            status, complete, waiting_ends, decision_due = S.COLLECTING, None, None, None
            changes.append(
                (claim_id, A.OPEN, "", S.COLLECTING, self.approver(insured), "", self.at(opened))
            )
            if (
                cause == ClaimCause.PROTRACTED_DEFAULT
                and (today - opened).days >= 10
                and rng.random() < 0.6
            ):
                complete = opened + timedelta(days=rng.randint(3, min(30, (today - opened).days)))
                waiting_ends = add_months(complete, 5)
                decision_due = waiting_ends + timedelta(days=30)
                status = S.WAITING
                changes.append(
                    (claim_id, A.COMPLETE, S.COLLECTING, S.WAITING, handler, "", self.at(complete))
                )
                if waiting_ends <= today:
                    status = S.ASSESSMENT
                    changes.append((claim_id, A.END_WAITING, S.WAITING, S.ASSESSMENT, None, JOB_WAITING,
                                    self.at(waiting_ends)))  # fmt: skip
            reference = f"CL{opened:%Y}{self.ref_base['CL'] + n:06d}"
            claims.append((claim_id, reference, notice_id, policy_id, buyer_id, cause, status, opened,
                           complete, waiting_ends, decision_due, handler, self.approver(insured),
                           self.at(opened)))  # fmt: skip
        self.claim_count = len(claims)
        self.table(Claim, ("id", "reference", "notice_id", "policy_id", "buyer_id", "cause", "status",
                           "opened_on", "documents_complete_on", "waiting_ends_on", "decision_due_on",
                           "handler_id", "opened_by_id", "created_at"), claims)  # fmt: skip
        change_first = reserve_ids(ClaimStatusChange, len(changes))
        self.table(ClaimStatusChange, change_columns("claim_id"), (
            (change_first + k, claim, action, source, target, actor, job, "", at)
            for k, (claim, action, source, target, actor, job, at) in enumerate(changes)
        ))  # fmt: skip
