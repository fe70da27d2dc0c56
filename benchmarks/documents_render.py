"""Documents rendered per second by a real Celery worker (SPEC 9, issue 9): cold start
and steady state.

Creates its own database (tci_bench_docs, or tci_bench_docs_<x> for POSTGRES_DB=tci_<x>),
runs the migrations and queues N documents without sending their tasks: by default a mix
of the kinds (loss notices with 20 unpaid invoices, policy schedules, debit notes, limit
letters, assignment agreements), or one kind (`--kind`). Then starts a real worker
(`celery worker --pool=prefork --concurrency 2`) on that database and a Redis database of
its own, waits until it answers a ping, sends the N tasks at once and waits until every
document is issued. Prints JSON: the first document's latency from the sending (the cold
start: each worker process imports WeasyPrint and loads the fonts on its first document),
the steady-state documents per second (from the fourth issued document to the last),
and the mean rendering time and page count per kind, from the documents' own rows.
Beside them, what this shared machine cannot blur: the CPU time the worker's processes
spent per document, hence the rate of its cores if it had them to itself, and the
baseline, WeasyPrint alone on the same documents' HTML in this process.

    .venv/bin/python benchmarks/documents_render.py                  # 40 documents, mixed
    .venv/bin/python benchmarks/documents_render.py --kind loss_notice --documents 80
    .venv/bin/python benchmarks/documents_render.py --profile        # cProfile, in-process

The broker is TEST_CELERY_BROKER_URL (else redis://127.0.0.1:6379/15), on a queue named
for this run, purged before and after: no other worker takes these tasks.
"""

import argparse
import cProfile
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")
STARTED = time.monotonic()
WORKER_LOG = str(Path(tempfile.gettempdir()) / f"documents_render-worker-{os.getpid()}.log")
KINDS = ["loss_notice", "policy_schedule", "debit_note", "limit_letter", "assignment_agreement"]


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def default_database() -> str:
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci").lstrip("_")
    return f"tci_bench_docs_{suffix}" if suffix else "tci_bench_docs"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--kind", choices=["mix", *KINDS], default="mix")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--broker",
        default=os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    )
    parser.add_argument("--profile", action="store_true",
                        help="render 10 documents in this process under cProfile instead")  # fmt: skip
    parser.add_argument(
        "--database", default=default_database(), help="default: %(default)s (from POSTGRES_DB)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    return args


# --- the world: subjects and their queued documents ------------------------------------------


class World:
    """An insurer, an insured, a bank, staff, buyers with capacity, and a policy per
    document, each subject made through the services or the transition table as the
    application makes it (the documents themselves by the reactions or `document_request`)."""

    def __init__(self):
        from accounts.choices import OrganisationKind, Role
        from tests.factories import (
            BuyerCapacityFactory,
            InsurerFactory,
            OrganisationFactory,
            UserFactory,
        )

        insurer = InsurerFactory(name="中国测试财产保险股份有限公司")
        self.underwriter = UserFactory(
            username="bench_uw", organisation=insurer, role=Role.SENIOR_UNDERWRITER,
            authority_amount=Decimal("100000000"),
        )  # fmt: skip
        self.insured = OrganisationFactory(
            name="苏州精工机械制造有限公司", address="江苏省苏州市工业园区星湖街328号"
        )
        self.approver = UserFactory(
            username="bench_approver", organisation=self.insured, role=Role.APPROVER,
            authority_amount=0,
        )  # fmt: skip
        self.bank = OrganisationFactory(
            kind=OrganisationKind.BANK, name="中国工商银行股份有限公司苏州分行", industry="J"
        )
        for grade in range(1, 11):
            BuyerCapacityFactory(risk_grade=grade, max_exposure=Decimal("500000000"))
        self.n = 0

    def policy(self):
        from policies.choices import PolicyStatus
        from tests.factories import PolicyFactory

        self.n += 1
        return PolicyFactory(
            insured=self.insured, status=PolicyStatus.IN_FORCE,
            policy_number=f"TCI2026B{self.n:05d}",
        )  # fmt: skip

    def buyer(self):
        from tests.factories import BuyerFactory

        return BuyerFactory(
            name=f"深圳市前海第{self.n}号电子科技有限公司", address="深圳市南山区科技园路1号"
        )

    def loss_notice(self):
        from claims.choices import NOTICE_MACHINE
        from claims.models import NoticeInvoice, OverdueNotice
        from core.transitions import create, transition

        policy, buyer = self.policy(), self.buyer()
        notice = create(
            NOTICE_MACHINE,
            OverdueNotice(reference=f"ON-2026-{self.n:06d}", policy=policy, buyer=buyer,
                          deadline_on=date(2026, 9, 10), prepared_by=self.approver),
            "prepare", actor=self.approver,
        )  # fmt: skip
        NoticeInvoice.objects.bulk_create(
            NoticeInvoice(
                notice=notice,
                number=f"4403{i:04d}",
                invoice_date=date(2026, 5, 1) + timedelta(i),
                shipment_date=date(2026, 5, 1) + timedelta(i),
                amount=Decimal("12345.67") * (i + 1),
                original_due_date=date(2026, 7, 31),
            )  # fmt: skip
            for i in range(20)
        )
        transition(NOTICE_MACHINE, notice, "file", actor=self.approver,
                   changes={"filed_on": date(2026, 9, 15), "filed_by": self.approver})  # fmt: skip

    def policy_schedule(self):
        from documents.services import document_request

        document_request(kind="policy_schedule", subject=self.policy(), actor=self.underwriter)

    def debit_note(self):
        from premiums import texts
        from premiums.choices import DebitNoteKind
        from premiums.services.notes import note_issue

        policy = self.policy()
        line = texts.LINE_INSTALMENT(sequence=2, count=4, minimum=policy.minimum_premium)
        note_issue(policy=policy, kind=DebitNoteKind.INSTALMENT, sequence=2, today=date(2026, 1, 1),
                   lines=[(line, Decimal("50000.00"), None)], due_on=date(2026, 4, 1),
                   actor=self.underwriter, notify=False)  # fmt: skip

    def limit_letter(self):
        from limits import services

        policy, buyer = self.policy(), self.buyer()
        application = services.application_create(
            actor=self.approver, policy_id=policy.pk, buyer_uscc=buyer.uscc, request_type="2",
            requested_amount=Decimal("3000000"), payment_terms_days=90, submit=True,
            today=date(2026, 3, 2),
        )  # fmt: skip
        services.application_decide(
            actor=self.underwriter, application_id=application.pk, outcome="partial",
            amount=Decimal("1250000.50"), payment_terms_days=60, reason_code="14",
            conditions="买方须提供2025年度审计报告", today=date(2026, 3, 5),
        )  # fmt: skip

    def assignment_agreement(self):
        from banks import services

        policy = self.policy()
        buyers = [self.buyer() for _ in range(3)]
        from limits import services as limit_services

        for buyer in buyers:
            application = limit_services.application_create(
                actor=self.approver, policy_id=policy.pk, buyer_uscc=buyer.uscc,
                request_type="2", requested_amount=Decimal("1000000"), payment_terms_days=90,
                submit=True, today=date(2026, 3, 2),
            )  # fmt: skip
            limit_services.application_decide(
                actor=self.underwriter, application_id=application.pk, outcome="approve",
                today=date(2026, 3, 2),
            )  # fmt: skip
        services.agreement_prepare(
            actor=self.underwriter, policy_id=policy.pk, bank_id=self.bank.pk, scope="listed",
            starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31),
            account_name="苏州精工机械制造有限公司", account_number="6222 0212 0000 1234",
            account_bank="中国工商银行苏州分行", buyer_ids=[b.pk for b in buyers],
            today=date(2026, 3, 2),
        )  # fmt: skip


def build(args) -> list[int]:
    """The subjects and their queued documents, without a task sent (the benchmark sends
    them all at once when the worker is ready); the ids of the documents to render."""
    from documents import services
    from documents.models import Document

    sent = []
    services._send = lambda document_id, countdown=0: sent.append(document_id)
    world = World()
    kinds = KINDS if args.kind == "mix" else [args.kind]
    for i in range(args.documents):
        getattr(world, kinds[i % len(kinds)])()
    # A limit letter's subjects bring other letters (the agreement's buyers' decisions):
    # only the documents of the kinds asked for are rendered, as many as asked.
    ids = list(
        Document.objects.filter(kind__in=kinds, status="queued")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if args.kind == "mix":
        by_kind = {kind: [] for kind in kinds}
        for pk, kind in Document.objects.filter(pk__in=ids).values_list("pk", "kind"):
            by_kind[kind].append(pk)
        share = args.documents // len(kinds)
        ids = sorted(pk for kind in kinds for pk in by_kind[kind][:share])
    return ids[: args.documents]


# --- the worker -------------------------------------------------------------------------------


def start_worker(args, queue: str) -> subprocess.Popen:
    env = {
        **os.environ, "POSTGRES_DB": args.database, "CELERY_BROKER_URL": args.broker,
        "DJANGO_DEBUG": "0", "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret"),
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
         f"--concurrency={args.concurrency}", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--queues", queue,
         "--hostname", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(WORKER_LOG, "w"),  # noqa: SIM115
        start_new_session=True,
    )  # fmt: skip


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the live processes of a process group: the
    worker and its pool processes. On a machine other work shares, the wall clock says
    how busy the machine was; this says what the documents cost."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # After the name: state, ppid, pgrp, ..., utime and stime are the 12th and 13th.
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_ready(app, worker, queue: str, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}: see {WORKER_LOG}")
        replies = app.control.ping(timeout=0.5)
        if any(queue in name for reply in replies for name in reply):
            return time.monotonic() - started
    raise SystemExit("the worker did not answer within the timeout")


def bare_rendering(ids: list[int], count: int = 10) -> float:
    """The baseline: CPU seconds per document for WeasyPrint alone, in this process, on
    the HTML of `count` of the same documents (warmed up; no queue, no database)."""
    from documents import pdf
    from documents.models import Document

    documents = list(Document.objects.filter(pk__in=ids).order_by("pk")[:count])
    pages = [pdf.document_html(document) for document in documents]
    pdf.warm_up()
    began = time.process_time()
    for html in pages:
        pdf._render_html(html)
    return (time.process_time() - began) / len(pages)


def measure(args) -> dict:
    from django.db.models import Min

    from config.celery import app
    from documents.models import Document, DocumentStatusChange
    from documents.tasks import render_document

    queue = f"bench-docs-{os.getpid()}"
    # The subjects' notifications go to this run's queue too, and are purged with it
    # before the worker starts: their outbox rows stay queued, no mail is sent.
    app.conf.task_default_queue = queue
    ids = build(args)
    log(f"queued {len(ids)} documents ({args.kind})")
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    worker = start_worker(args, queue)
    try:
        boot = wait_ready(app, worker, queue)
        log(f"worker ready in {boot:.1f} s; sending {len(ids)} tasks")
        from django.utils import timezone

        cpu_before = group_cpu_seconds(worker.pid)
        sent_at = timezone.now()
        for pk in ids:
            render_document.apply_async((pk,), queue=queue)
        deadline = time.monotonic() + 60 + 5 * len(ids)
        while time.monotonic() < deadline:
            done = Document.objects.filter(pk__in=ids, status__in=["issued", "failed"]).count()
            if done == len(ids):
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"only {done} of {len(ids)} documents done in time")
        worker_cpu = group_cpu_seconds(worker.pid) - cpu_before
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        log(f"worker log: {WORKER_LOG}")
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    failed = list(
        Document.objects.filter(pk__in=ids, status="failed").values_list("error", flat=True)
    )
    issued = sorted(
        Document.objects.filter(pk__in=ids, status="issued").values_list("issued_at", flat=True)
    )
    seconds = [(at - sent_at).total_seconds() for at in issued]
    warm = min(3, len(seconds) - 2)
    steady = (len(seconds) - 1 - warm) / (seconds[-1] - seconds[warm]) if len(seconds) > 2 else None
    claims = dict(
        DocumentStatusChange.objects.filter(document_id__in=ids, action="render")
        .values_list("document_id")
        .annotate(at=Min("created_at"))
    )
    issues = dict(
        DocumentStatusChange.objects.filter(document_id__in=ids, action="issue").values_list(
            "document_id", "created_at"
        )
    )
    per_kind = {}
    for pk, kind, pages, size in Document.objects.filter(pk__in=ids, status="issued").values_list(
        "pk", "kind", "page_count", "size"
    ):
        row = per_kind.setdefault(kind, {"documents": 0, "render_s": [], "pages": [], "kib": []})
        row["documents"] += 1
        row["render_s"].append((issues[pk] - claims[pk]).total_seconds())
        row["pages"].append(pages)
        row["kib"].append(size / 1024)
    bare = bare_rendering(ids)
    return {
        "documents": len(ids),
        "kind": args.kind,
        "concurrency": args.concurrency,
        "worker_ready_s": round(boot, 2),
        "first_document_s": round(seconds[0], 3),
        "all_done_s": round(seconds[-1], 3),
        "steady_documents_per_s": round(steady, 2) if steady else None,
        "overall_documents_per_s": round(len(seconds) / seconds[-1], 2),
        # What the worker's processes spent per document, and so the rate this machine's
        # cores would reach if the worker had them to itself (PostgreSQL's share of the
        # work is not counted: its backends are not the worker's processes).
        "worker_cpu_s_per_document": round(worker_cpu / len(ids), 3),
        "documents_per_s_on_idle_cores": round(
            min(args.concurrency, os.cpu_count()) * len(ids) / worker_cpu, 2
        ),
        "baseline_bare_weasyprint_cpu_s_per_document": round(bare, 3),
        "worker_cpu_to_bare_ratio": round(worker_cpu / len(ids) / bare, 2),
        "failed": failed,
        "per_kind": {
            kind: {
                "documents": row["documents"],
                "mean_render_s": round(statistics.mean(row["render_s"]), 3),
                "max_render_s": round(max(row["render_s"]), 3),
                "pages": round(statistics.mean(row["pages"]), 2),
                "mean_kib": round(statistics.mean(row["kib"]), 1),
            }
            for kind, row in sorted(per_kind.items())
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def profile(args) -> None:
    """Render ten documents in this process, the first apart (imports, fonts), the rest
    under cProfile: where a rendering's time goes."""
    from documents.models import Document
    from documents.pdf import render_pdf

    args.documents = max(args.documents, 11)
    ids = build(args)
    documents = list(Document.objects.filter(pk__in=ids[:11]))
    began = time.perf_counter()
    render_pdf(documents[0])
    log(f"first rendering (cold): {time.perf_counter() - began:.2f} s")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for document in documents[1:]:
        render_pdf(document)
    profiler.disable()
    log(f"10 renderings: {time.perf_counter() - began:.2f} s")
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)


def main():
    args = parse_args()
    os.environ["POSTGRES_DB"] = args.database
    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    subprocess.run(
        ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=True
    )
    subprocess.run(["createdb", "-h", host, "-U", "postgres", args.database], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        log(f"migrating {args.database}")
        call_command("migrate", verbosity=0)
        log("migrated")
        if args.profile:
            profile(args)
        else:
            print(json.dumps(measure(args), ensure_ascii=False, indent=2))
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database],
                           check=True)  # fmt: skip


if __name__ == "__main__":
    main()
