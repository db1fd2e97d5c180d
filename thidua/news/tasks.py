"""Background tasks of the news sites."""

from __future__ import annotations

import io
import logging

from django.core.management import call_command
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def publish_scheduled() -> str:
    """Publish the approved articles whose time has come, and unpublish the expired (Wagtail's command,
    run by the worker every minute instead of a timer beside it)."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue().strip()
    if report:
        logger.info("publish_scheduled: %s", report)
    return report
