"""The project's settings for benchmarks: production settings, plus a bare view to measure against.

Only what a benchmark needs differs: the URLconf (config.urls + /bench/bare/), the static files
storage, because benchmarks do not run collectstatic and the manifest storage would refuse to render
`{% static %}` without its manifest, and the second sign-in step, off unless THIDUA_TWO_FACTOR_REQUIRED
says otherwise: benchmarks sign in by writing a session (bench/harness.py), with no authenticator to ask.
Nothing here is used outside bench/.
"""

from config.settings import *  # noqa: F403 — the same settings, three overrides below
from config.settings import STORAGES, env_bool

ROOT_URLCONF = "bench.bench_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TWO_FACTOR_REQUIRED = env_bool("THIDUA_TWO_FACTOR_REQUIRED", False)
