"""Where the sizes of a news image that pages show (Wagtail's renditions) are kept, and their address.

They are kept with every other file, in the default storage (a folder on disk, or the S3-compatible
store several app servers share), but their address is thidua's own view (`views.news_image`), not the
store's: the readers' pages allow images from their own origin only (CSP `img-src 'self'`), and the
store is private (docs/decisions.md, "Media go out through the app's views").

Wagtail reads `WAGTAILIMAGES_RENDITION_STORAGE` once, when its models load; the object it gets here
follows `STORAGES`, as Django's `default_storage` does, so a test that points the default storage
elsewhere moves the renditions with it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.urls import reverse
from django.utils.functional import LazyObject, empty


class RenditionStorage(LazyObject):
    """The default storage, but for the address of a file."""

    _wrapped: Any

    def _setup(self) -> None:
        self._wrapped = storages["default"]

    def url(self, name: str | None) -> str:
        return reverse("news_image", kwargs={"name": name})


renditions = RenditionStorage()


def rendition_storage() -> Storage:
    """What WAGTAILIMAGES_RENDITION_STORAGE names: the one `renditions` object."""
    return renditions  # type: ignore[return-value]  # a LazyObject standing for a Storage


def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        renditions._wrapped = empty


setting_changed.connect(_storages_changed, dispatch_uid="news-rendition-storage")
