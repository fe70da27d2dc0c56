"""Celery application.

Configured not to lose work (ENVIRONMENT.md measured it): late acknowledgement plus
reject-on-worker-lost, one task prefetched at a time, hard and soft time limits.
Long timers are never countdown tasks; they are dates on rows swept by beat (SPEC 10).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tci")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
