"""The committed docs/samples/ are what the documents look like now (issue 15, part 4): each page of every
document a conference issues is rendered afresh (DOCX → LibreOffice → PDF → PNG, as `make samples` does)
and compared with the committed PNG, pixel by pixel. A heading that moves to another page, a table row
that breaks, a signature block that goes off alone: each shows as a page that changed or a page more or
fewer. Rendering the samples again on purpose (`make samples`) is how a change of layout is accepted."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from thidua.demo import samples
from thidua.documents import converter

pytestmark = [pytest.mark.once, pytest.mark.django_db]

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"
# A pixel counts as changed when its grey level moves by more than this (of 255): anti-aliasing noise
# between two renders stays far below it.
PIXEL_TOLERANCE = 48
# The share of a page's pixels that may change: about a word's worth at the samples' 60 dpi. A line that
# moves, a heading pushed to the next page, a column that wraps differently are all well above it.
PAGE_TOLERANCE = 0.002


def changed_share(fresh: bytes, committed: bytes) -> float:
    """The share of pixels that differ by more than PIXEL_TOLERANCE; 1.0 for pages of another size."""
    a = Image.open(io.BytesIO(fresh)).convert("L")
    b = Image.open(io.BytesIO(committed)).convert("L")
    if a.size != b.size:
        return 1.0
    difference = ImageChops.difference(a, b).point(lambda level: 255 if level > PIXEL_TOLERANCE else 0)
    histogram = difference.histogram()
    return histogram[255] / (a.size[0] * a.size[1])


@pytest.fixture
def renderer() -> Iterator[None]:
    if not converter.pdf_available() or shutil.which("pdftoppm") is None:
        reason = "LibreOffice and poppler-utils are needed to render the samples"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run should have installed them")
        pytest.skip(reason)
    yield
    converter.shutdown()


def test_a_page_compared_with_itself_is_unchanged_and_a_moved_line_is_a_change() -> None:
    page = Image.new("L", (200, 280), 255)
    for y in range(40, 240, 20):
        page.paste(0, (20, y, 180, y + 3))
    moved = Image.new("L", (200, 280), 255)
    moved.paste(page.crop((0, 0, 200, 270)), (0, 10))

    def png(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    assert changed_share(png(page), png(page)) == 0
    assert changed_share(png(page), png(moved)) > PAGE_TOLERANCE


@pytest.mark.usefixtures("renderer")
def test_fresh_renders_of_the_documents_match_the_committed_samples_page_by_page(tmp_path: Path) -> None:
    written = samples.render(samples.replayed_conference(), tmp_path)
    committed = sorted(p.name for p in SAMPLES.glob("*.png") if not p.name.startswith("news-"))
    assert sorted(p.name for p in written) == committed, "a page more or fewer: run `make samples`"
    changed = {
        path.name: share
        for path in written
        if (share := changed_share(path.read_bytes(), (SAMPLES / path.name).read_bytes())) > PAGE_TOLERANCE
    }
    assert not changed, f"pages that changed (share of pixels), `make samples` if on purpose: {changed}"
