"""WSGI entry for benchmarks: the project's application under bench.bench_settings (bare view added).

Usage: gunicorn bench.bench_wsgi -w 2 -b 127.0.0.1:<port>, from the project root.
"""

import os

from django.core.wsgi import get_wsgi_application

# Forced, not setdefault: a shell that exports config.settings would silently drop the bare view.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
application = get_wsgi_application()
