"""What Django's request logger writes for a refused request (settings.LOGGING, docs/security.md V16).

Django logs each answer of 400 or more on `django.request`, and a PermissionDenied with the exception's
traceback: a page refused to someone who may not see it filled the log with tracebacks that say
nothing. A refused request (any 4xx) is one line instead, its method, path and status and Django's
reason; never its query string or body. A server error (5xx) keeps its traceback.
"""

from __future__ import annotations

import logging


def _escaped(text: str) -> str:
    # As Django's log_response does: a control character in the address cannot start a new log line.
    return text.encode("unicode_escape").decode("ascii")


class RefusalLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        request = getattr(record, "request", None)
        if request is not None:
            path = _escaped(request.path)
            reason = record.getMessage().removesuffix(f": {path}")
            record.msg = "%s %s %s %s"
            record.args = (_escaped(request.method or ""), path, status, reason)
            # Nothing of the request beyond its method and path goes to a handler or formatter.
            record.request = None
        return True
