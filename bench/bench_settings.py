"""The project's settings for benchmarks: production settings, plus a bare view to measure against.

Only what a benchmark needs differs: the URLconf (config.urls + /bench/bare/) and the static files
storage, because benchmarks do not run collectstatic and the manifest storage would refuse to render
`{% static %}` without its manifest. Nothing here is used outside bench/.
"""

from config.settings import *  # noqa: F403 — the same settings, two overrides below
from config.settings import STORAGES

ROOT_URLCONF = "bench.bench_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
