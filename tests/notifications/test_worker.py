"""Delivery through a real Celery worker on the real Redis, including a killed worker.

The worker is a separate process on the test database, with a Redis database of its
own so that a development worker on this machine cannot take these tasks.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from notifications.choices import OutboxKind, OutboxStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from notifications.tasks import deliver_outbox

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    """The configured broker (scripts/test.sh gives tests a Redis database of their own,
    tests/conftest.py each xdist worker a queue of its own there); purges that queue."""
    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()


def _start_worker(mail_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "POSTGRES_DB": connection.settings_dict["NAME"],
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
         # The queue this test process sends to: one per xdist worker (tests/conftest.py).
         "--queues", app.conf.task_default_queue],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_until_sent(count: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    sent = 0
    while time.monotonic() < deadline:
        sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
        if sent >= count:
            break
        time.sleep(0.2)
    return sent


def _mails_written(mail_dir: Path) -> list[str]:
    """Subjects of the e-mails the file backend wrote (it may append several to one file)."""
    subjects = []
    for path in mail_dir.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("Subject: "):
                subjects.append(line.removeprefix("Subject: "))
    return subjects


def _enqueue(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            outbox_enqueue(
                kind=OutboxKind.EMAIL,
                payload={"to": [f"u{i}@example.cn"], "subject": f"#{i}", "body": "测试"},
            )


def test_a_real_worker_delivers_every_message_once(broker, tmp_path):
    worker = _start_worker(tmp_path)
    try:
        _enqueue(20)
        assert _wait_until_sent(20) == 20
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert sorted(_mails_written(tmp_path)) == sorted(f"#{i}" for i in range(20))


def test_messages_survive_a_killed_worker(broker, tmp_path):
    # A worker killed with SIGKILL: what was committed meanwhile waits in Redis and in
    # the outbox table, and a fresh worker delivers all of it.
    worker = _start_worker(tmp_path)
    time.sleep(1.0)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    _enqueue(10)
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 10
    worker = _start_worker(tmp_path)
    try:
        assert _wait_until_sent(10) == 10
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert sorted(_mails_written(tmp_path)) == sorted(f"#{i}" for i in range(10))


def test_the_sweep_delivers_messages_whose_task_was_lost(broker, tmp_path):
    # Rows written without any task in the broker (as if Redis lost it): the beat
    # sweep finds them by their due date.
    for i in range(5):
        OutboxMessage.objects.create(
            kind=OutboxKind.EMAIL, available_at=timezone.now(),
            payload={"to": ["x@example.cn"], "subject": f"lost{i}", "body": ""},
        )  # fmt: skip
    worker = _start_worker(tmp_path)
    try:
        deliver_outbox.delay()
        assert _wait_until_sent(5) == 5
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert sorted(_mails_written(tmp_path)) == [f"lost{i}" for i in range(5)]
