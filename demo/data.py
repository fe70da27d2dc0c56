"""Demo data: the insurer, two insureds, a bank, 50 buyers, policies in several states,
and one login per role. Idempotent: a second run finds everything and creates nothing.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from buyers.models import Buyer, BuyerCapacity
from core.choices import Industry
from core.uscc import uscc_with_check
from deadlines.services import deadlines_sweep
from demo.banks import demo_banks
from demo.claims import demo_claims
from policies.choices import PolicyAction, PolicyStatus
from policies.models import Policy
from policies.services import (
    policy_create,
    policy_override_warning,
    policy_renew,
    policy_transition,
    policy_unresolved_warnings,
)
from premiums.choices import DebitNoteKind
from premiums.models import Declaration
from premiums.services import (
    declaration_prepare,
    payment_record,
    premium_account_open,
    premiums_sweep,
)
from premiums.services.account import policy_quarters

# At least 12 characters, as AUTH_PASSWORD_VALIDATORS asks of every password.
DEMO_PASSWORD = "Demo-2026-tci!"

# (username, role, organisation key, authority amount, first name)
DEMO_USERS = [
    ("admin", Role.ADMIN, "insurer", Decimal("100000000"), "系统管理员"),
    ("underwriter", Role.UNDERWRITER, "insurer", Decimal("1000000"), "王核保"),
    ("senior", Role.SENIOR_UNDERWRITER, "insurer", Decimal("20000000"), "李高级核保"),
    ("claims", Role.CLAIMS_HANDLER, "insurer", Decimal("500000"), "张理赔"),
    ("claimsmgr", Role.CLAIMS_MANAGER, "insurer", Decimal("10000000"), "赵理赔经理"),
    ("seller_admin", Role.INSURED_ADMIN, "insured_a", Decimal("0"), "陈管理员"),
    ("seller_clerk", Role.CLERK, "insured_a", Decimal("0"), "刘文员"),
    ("seller", Role.APPROVER, "insured_a", Decimal("0"), "周财务"),
    ("seller_viewer", Role.VIEWER, "insured_a", Decimal("0"), "吴查看"),
    ("seller_b", Role.APPROVER, "insured_b", Decimal("0"), "孙经理"),
    ("bank", Role.BANK_USER, "bank", Decimal("0"), "郑客户经理"),
]

ORGANISATIONS = {
    "insurer": dict(
        kind=OrganisationKind.INSURER,
        name="华信财产保险股份有限公司",
        uscc=None,
        region="31",
        industry=Industry.FINANCE,
    ),
    "insured_a": dict(
        kind=OrganisationKind.INSURED,
        name="浙江恒远机械制造有限公司",
        uscc=uscc_with_check("91330100MA2B3C4D5"),
        region="33",
        industry=Industry.MANUFACTURING,
        founded_on=date(2012, 5, 8),
        address="浙江省杭州市滨江区江南大道 1888 号",
    ),
    "insured_b": dict(
        kind=OrganisationKind.INSURED,
        name="广州南粤化工贸易有限公司",
        uscc=uscc_with_check("91440101MA5C6D7E8"),
        region="44",
        industry=Industry.WHOLESALE_RETAIL,
        founded_on=date(2021, 3, 15),
        address="广东省广州市天河区珠江新城华夏路 10 号",
    ),
    "bank": dict(
        kind=OrganisationKind.BANK,
        name="中国工商银行股份有限公司杭州分行",
        uscc=uscc_with_check("91330000X00000001"),
        region="33",
        industry=Industry.FINANCE,
    ),
}

CITIES = [
    ("440300", "深圳"),
    ("310115", "上海"),
    ("110105", "北京"),
    ("330100", "杭州"),
    ("320500", "苏州"),
    ("370200", "青岛"),
    ("420100", "武汉"),
    ("510100", "成都"),
    ("350200", "厦门"),
    ("430100", "长沙"),
]
WORDS = [
    "华星",
    "金诚",
    "宏达",
    "鑫源",
    "瑞丰",
    "永盛",
    "天成",
    "汇通",
    "博远",
    "中联",
    "新锐",
    "恒泰",
    "嘉禾",
    "润和",
    "盛世",
]
TRADES = [
    ("电子科技", Industry.MANUFACTURING),
    ("建材贸易", Industry.WHOLESALE_RETAIL),
    ("食品", Industry.MANUFACTURING),
    ("物流", Industry.TRANSPORT),
    ("医药", Industry.WHOLESALE_RETAIL),
    ("纺织", Industry.MANUFACTURING),
    ("信息技术", Industry.INFORMATION),
    ("汽车零部件", Industry.MANUFACTURING),
]

CAPACITY_BY_GRADE = {
    1: "50000000",
    2: "40000000",
    3: "30000000",
    4: "20000000",
    5: "15000000",
    6: "10000000",
    7: "5000000",
    8: "0",
    9: "0",
    10: "0",
}


def demo_buyer_rows(count: int = 50, seed: int = 20261125):
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        code, city = CITIES[i % len(CITIES)]
        trade, industry = TRADES[i % len(TRADES)]
        name = f"{city}{WORDS[i % len(WORDS)]}{trade}有限公司"
        if any(r["name"] == name for r in rows):
            name = f"{city}{WORDS[(i * 7) % len(WORDS)]}{WORDS[i % len(WORDS)]}{trade}有限公司"
        org_code = f"{rng.randrange(10**7, 10**8)}{rng.choice('0123456789X')}"
        rows.append(
            dict(
                uscc=uscc_with_check(f"91{code}{org_code}"),
                name=name,
                address=f"{city}市{WORDS[(i + 3) % len(WORDS)]}路 {rng.randrange(1, 999)} 号",
                region=code[:2],
                industry=industry,
                registered_capital=Decimal(rng.choice([500, 1000, 2000, 5000, 10000])) * 10000,
                founded_on=date(
                    rng.randrange(1998, 2022), rng.randrange(1, 13), rng.randrange(1, 29)
                ),
                risk_grade=rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8]),
            )
        )
    return rows


@transaction.atomic
def load_demo_data(*, today: date) -> dict:
    created = {"organisations": 0, "users": 0, "buyers": 0, "policies": 0}
    orgs = {}
    for key, fields in ORGANISATIONS.items():
        lookup = {"uscc": fields["uscc"]} if fields["uscc"] else {"kind": fields["kind"]}
        orgs[key], was_created = Organisation.objects.get_or_create(**lookup, defaults=fields)
        created["organisations"] += was_created
    for username, role, org_key, authority, first_name in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults=dict(
                organisation=orgs[org_key],
                role=role,
                authority_amount=authority,
                first_name=first_name,
                email=f"{username}@demo.example.cn",
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            ),
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        created["users"] += was_created
    for grade, amount in CAPACITY_BY_GRADE.items():
        BuyerCapacity.objects.get_or_create(
            risk_grade=grade, defaults={"max_exposure": Decimal(amount)}
        )
    for row in demo_buyer_rows():
        _buyer, was_created = Buyer.objects.get_or_create(uscc=row["uscc"], defaults=row)
        created["buyers"] += was_created
    created["policies"] = _demo_policies(orgs, today)
    created["limits"] = _demo_limits(today)
    created["declarations"] = _demo_premiums(orgs, today)
    created["notices"] = demo_claims(today)
    created["agreements"] = demo_banks(today)
    return created


def _declare(actor, policy, quarter, amount, on, **extra):
    return declaration_prepare(
        actor=actor, policy_id=policy.pk, quarter=quarter, turnover=Decimal(amount),
        submit=True, today=on, **extra,
    )  # fmt: skip


def _pay(staff, policy, sequence, on, amount=None, kind=DebitNoteKind.INSTALMENT):
    note = policy.debit_notes.get(kind=kind, sequence=sequence)
    payment_record(
        actor=staff, debit_note_id=note.pk, amount=Decimal(amount) if amount else note.outstanding,
        paid_on=on, reference=f"DEMO-{note.number}", today=max(on, note.issued_on),
    )  # fmt: skip


def _demo_premiums(orgs, today: date) -> int:
    """Declarations in every state, paid and overdue premium, a year-end adjustment and its
    correction, and a policy suspended for non-payment (SPEC 3.3, 6); then the daily
    sweeps, so that homes show what is due next and what was missed."""
    if Declaration.objects.exists():
        return 0
    staff = User.objects.get(username="underwriter")
    seller, clerk, seller_b = (
        User.objects.get(username=name) for name in ("seller", "seller_clerk", "seller_b")
    )
    year = today.year
    a = Policy.objects.get(insured=orgs["insured_a"], status=PolicyStatus.IN_FORCE)
    b = Policy.objects.get(insured=orgs["insured_b"], status=PolicyStatus.IN_FORCE)
    b_last = Policy.objects.get(insured=orgs["insured_b"], status=PolicyStatus.EXPIRED)
    count = 0
    # Insured A: Q1 on time, Q2 corrected with a reason, Q3 prepared by the clerk and
    # waiting for the approver (late now); every instalment paid.
    _declare(seller, a, 1, "12000000", date(year, 4, 10))
    _declare(seller, a, 2, "13500000", date(year, 7, 12))
    _declare(seller, a, 2, "13800000", date(year, 8, 3), correction_reason="补录6月漏记发票两张")
    declaration_prepare(
        actor=clerk, policy_id=a.pk, quarter=3, turnover=Decimal("14200000"),
        today=date(year, 10, 20),
    )  # fmt: skip
    count += 4
    for sequence, paid_on in enumerate(
        [date(year, 1, 8), date(year, 4, 3), date(year, 7, 6), date(year, 10, 9)], start=1
    ):
        if paid_on <= today:
            _pay(staff, a, sequence, paid_on)
    # Insured B, this year: Q2 declared late, Q3 due now; the third instalment only
    # partly paid, so the sweep suspends the policy for non-payment.
    _declare(seller_b, b, 1, "9000000", date(year, 6, 12))
    _declare(seller_b, b, 2, "9600000", date(year, 9, 20))
    count += 2
    _pay(staff, b, 1, b.period_start + timedelta(days=5))
    _pay(staff, b, 2, date(year, 6, 5))
    _pay(staff, b, 3, date(year, 9, 10), amount="30000")
    # Insured B, last year: all four quarters declared, the year-end adjustment invoiced
    # and paid, then a correction of Q4 invoiced as a corrected adjustment.
    for sequence in range(1, 5):
        _pay(staff, b_last, sequence, b_last.period_start + timedelta(days=92 * (sequence - 1) + 3))
    quarters = policy_quarters(b_last)
    for q, amount in zip(quarters, ["9500000", "10200000", "9900000", "10400000"], strict=True):
        _declare(seller_b, b_last, q.index, amount, q.end + timedelta(days=9))
    _pay(staff, b_last, 1, b_last.period_end + timedelta(days=20), kind=DebitNoteKind.ADJUSTMENT)
    _declare(
        seller_b, b_last, 4, "11400000", b_last.period_end + timedelta(days=40),
        correction_reason="年末退货冲减有误，更正第四季度营业额",
    )  # fmt: skip
    count += 5
    premiums_sweep(today=today)
    deadlines_sweep(today=today)
    return count


AUTO_MAX_BY_GRADE = {1: "1000000", 2: "800000", 3: "500000", 4: "300000", 5: "200000"}


def _demo_limits(today: date) -> int:
    """Limits, open applications in the queue and a scheduled reduction (SPEC 5)."""
    from limits import services as limit_services
    from limits.models import (
        AutoDecisionGradeRule,
        AutoDecisionSettings,
        CreditLimit,
        LimitApplication,
    )

    if not AutoDecisionSettings.objects.exists():
        AutoDecisionSettings.objects.create(enabled=True)
    for grade, amount in AUTO_MAX_BY_GRADE.items():
        AutoDecisionGradeRule.objects.get_or_create(
            risk_grade=grade, defaults={"max_amount": Decimal(amount)}
        )
    if LimitApplication.objects.exists():
        return 0
    underwriter = User.objects.get(username="underwriter")
    senior = User.objects.get(username="senior")
    buyers = list(Buyer.objects.filter(risk_grade__lte=6).order_by("uscc"))
    plans = [("seller", buyers[:10]), ("seller_b", buyers[8:14])]
    for username, chosen in plans:
        seller = User.objects.get(username=username)
        policy = Policy.objects.get(insured=seller.organisation, status=PolicyStatus.IN_FORCE)
        for i, buyer in enumerate(chosen):
            amount = Decimal(1000000 + 250000 * (i % 5))
            application = limit_services.application_create(
                actor=seller,
                policy_id=policy.pk,
                buyer_uscc=buyer.uscc,
                requested_amount=amount,
                payment_terms_days=60 + 30 * (i % 2),
                expected_annual_sales=amount * 6,
                goods="机电设备及零部件",
                trading_since=date(2019, 3, 1),
                submit=True,
                today=today,
            )
            if application.status == "submitted":
                outcome = "partial" if i % 3 == 1 else "approve"
                limit_services.application_decide(
                    actor=senior,
                    application_id=application.pk,
                    outcome=outcome,
                    amount=amount * Decimal("0.6") if outcome == "partial" else None,
                    reason_code="14" if outcome == "partial" else "7",
                    today=today,
                )
    seller = User.objects.get(username="seller")
    policy = Policy.objects.get(insured=seller.organisation, status=PolicyStatus.IN_FORCE)
    # Two applications waiting in the queue: one within, one above the underwriter's
    # authority, which the underwriter proposes for a second approval (four-eyes).
    queued = []
    for buyer, amount in ((buyers[10], "900000"), (buyers[11], "3000000")):
        queued.append(limit_services.application_create(
            actor=seller,
            policy_id=policy.pk,
            buyer_uscc=buyer.uscc,
            requested_amount=Decimal(amount),
            payment_terms_days=90,
            expected_annual_sales=Decimal(amount) * 4,
            goods="数控机床",
            trading_since=date(2021, 6, 1),
            submit=True,
            today=today,
        ))  # fmt: skip
    limit_services.application_decide(
        actor=underwriter, application_id=queued[1].pk, outcome="partial",
        amount=Decimal("2500000"), reason_code="14", today=today,
    )  # fmt: skip
    # A clerk's draft that the approver returned with a comment (SPEC 2).
    clerk = User.objects.get(username="seller_clerk")
    draft = limit_services.application_create(
        actor=clerk, policy_id=policy.pk, buyer_uscc=buyers[16].uscc,
        requested_amount=Decimal("600000"), payment_terms_days=60, goods="液压元件",
        today=today,
    )  # fmt: skip
    limit_services.application_return(
        actor=seller, application_id=draft.pk,
        comment="请补充最近12个月的销售额和最大单笔发票金额，再提交。",
    )  # fmt: skip
    limit_services.discretionary_limit_set(
        actor=seller,
        policy_id=policy.pk,
        buyer_id=buyers[12].pk,
        amount=Decimal("400000"),
        payment_terms_days=60,
        today=today,
    )
    # A refusal and a small partial approval, so that lists show adverse outcomes too.
    for buyer, amount, outcome, granted, reason in (
        (buyers[14], "1800000", "refuse", None, "12"),
        (buyers[15], "900000", "partial", Decimal("100000"), "14"),
    ):
        application = limit_services.application_create(
            actor=seller,
            policy_id=policy.pk,
            buyer_uscc=buyer.uscc,
            requested_amount=Decimal(amount),
            payment_terms_days=60,
            goods="液压元件",
            submit=True,
            today=today,
        )
        if application.status == "submitted":
            limit_services.application_decide(
                actor=senior,
                application_id=application.pk,
                outcome=outcome,
                amount=granted,
                reason_code=reason,
                today=today,
            )
    first, second = CreditLimit.objects.filter(policy=policy, source="insurer").order_by("id")[:2]
    limit_services.limit_cancel(
        actor=underwriter,
        limit_id=second.pk,
        notice_on=today,
        reason_code="3",
        today=today,
    )
    limit_services.limit_reduce(
        actor=underwriter,
        limit_id=first.pk,
        amount=first.amount / 2,
        notice_on=today,
        # Notice ahead, within the policy year (a cut after the policy ends is refused).
        effective_on=min(today + timedelta(days=30), policy.period_end),
        reason_code="12",
        today=today,
    )
    return CreditLimit.objects.count()


def _demo_policies(orgs, today: date) -> int:
    underwriter = User.objects.get(username="underwriter")
    if Policy.objects.filter(insured__in=[orgs["insured_a"], orgs["insured_b"]]).exists():
        return 0
    year_start = date(today.year, 1, 1)
    plans = [
        # insured, start, status to reach, estimate, rate, buyers
        ("insured_a", year_start, PolicyStatus.IN_FORCE, "50000000", "0.5", 12),
        ("insured_b", date(today.year - 1, 3, 1), PolicyStatus.EXPIRED, "35000000", "0.6", 5),
        ("insured_b", date(today.year, 3, 1), PolicyStatus.IN_FORCE, "40000000", "0.42", 6),
        ("insured_b", date(today.year, 6, 1), PolicyStatus.DRAFT, "20000000", "0.8", 2),
    ]
    path = {
        PolicyStatus.DRAFT: [],
        PolicyStatus.QUOTED: [PolicyAction.QUOTE],
        PolicyStatus.IN_FORCE: [PolicyAction.QUOTE, PolicyAction.ISSUE],
        PolicyStatus.EXPIRED: [PolicyAction.QUOTE, PolicyAction.ISSUE, PolicyAction.EXPIRE],
    }
    for org_key, start, status, estimate, rate, buyers in plans:
        end = start.replace(year=start.year + 1) - timedelta(days=1)
        policy = policy_create(
            actor=underwriter,
            insured=orgs[org_key],
            period_start=start,
            period_end=end,
            estimated_annual_turnover=Decimal(estimate),
            premium_rate_percent=Decimal(rate),
            annual_credit_turnover=Decimal(estimate) * Decimal("1.2"),
            buyer_count=buyers,
        )
        for action_name in path[status]:
            if action_name == PolicyAction.ISSUE:
                # Demo policies began in the past: their premium account opens on the day
                # they began, as it did for real (issuing finds it open and adds nothing).
                premium_account_open(policy_id=policy.pk, today=start)
                for code in policy_unresolved_warnings(policy):
                    policy_override_warning(
                        actor=underwriter,
                        policy_id=policy.pk,
                        code=code,
                        reason="演示数据：母公司同业担保",
                    )
            policy_transition(
                actor=underwriter, policy_id=policy.pk, action_name=action_name, reason="演示数据"
            )
    # Next year's quote for insured A is the renewal of its policy in force (SPEC 3.3).
    in_force = Policy.objects.get(insured=orgs["insured_a"], status=PolicyStatus.IN_FORCE)
    policy_renew(actor=underwriter, policy_id=in_force.pk)
    return len(plans) + 1
