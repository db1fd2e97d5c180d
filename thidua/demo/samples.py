"""docs/samples/: every page of the documents a conference issues, and the first of its cards and
ballot, as small PNGs (`make samples`); tests/test_samples.py compares fresh renders with them.

A reviewer of the layout (NĐ 30/2020) or a reader of the README sees what the documents look like
without installing LibreOffice. Each sample is made the way the app makes it, from the replayed Cụm 4
conference of 08/12/2023 in the demo: the five documents issued from a conference (``issuing.plan_for``,
then ``layout.render_docx``, then the warm converter), the delegates' voting cards and a paper ballot
(``thidua.conferences.pdf``). Page 1 of each PDF is rendered with poppler's ``pdftoppm``.

Run as a script it builds the demo in a throwaway SQLite database, so the samples never depend on what
someone did to their own database; ``--configured-db`` uses the configured one instead, which must hold
the demo (``manage.py load_demo``).

Usage, from the project root:
    .venv/bin/python -m thidua.demo.samples [--out docs/samples] [--dpi 60] [--configured-db]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thidua.conferences.models import Conference, Poll

ROOT = Path(__file__).resolve().parents[2]
DPI = 60  # an A4 page is 496 × 702 pixels: the layout reads, the file stays small

# (file name, kind for issuing.plan_for), in the order a year's documents are issued.
OFFICIAL = (
    ("bien-ban-hoi-nghi", "minutes"),
    ("bien-ban-kiem-phieu", "count"),
    ("to-trinh", "proposal"),
    ("bang-tong-hop", "summary"),
    ("giao-uoc", "agreement"),
)


@dataclass(frozen=True)
class Sample:
    name: str  # file name without extension: "bien-ban-hoi-nghi"
    make_pdf: Callable[[], bytes]


def replayed_conference() -> Conference:
    """Cụm 4's year-end conference of 2023, replayed by the demo: every poll published."""
    from thidua.conferences.models import Conference

    return Conference.objects.select_related("emulation_year__group").get(
        emulation_year__group__slug="vusta-cum-4", emulation_year__year=2023
    )


def official_docx(conference: Conference, kind: str, number: int, poll: Poll | None = None) -> bytes:
    """The DOCX of document `kind` as one click issues it, numbered `number` ("05/BB-CTĐ4") without
    taking a number from the registry: a sample is not an issued document. A vote count is of `poll`,
    by default the flag's nomination."""
    from thidua.conferences.models import PollKind, PollStatus
    from thidua.documents import issuing, layout
    from thidua.documents import rules as number_rules

    if kind == "count" and poll is None:  # the flag's nomination: the poll every year-end conference holds
        poll = conference.polls.get(kind=PollKind.NOMINATION, status=PollStatus.PUBLISHED)
    plan = issuing.plan_for(kind, conference=conference, poll=poll)
    number_text = number_rules.format_number(
        number_rules.DEFAULT_PATTERN,
        number=number,
        type_code=plan.doc_type,
        issuer_code=issuing.group_code(conference.emulation_year.group),
        year=plan.date.year,
    )
    return layout.render_docx(plan.build(number_text, plan.date))


def _cards_pdf(conference: Conference) -> bytes:
    """The voting cards of the conference's delegates. The codes are made up from a fixed seed and never
    stored: the PNG stays the same from run to run, and no sample card opens a real ballot."""
    from thidua.conferences import codes, pdf
    from thidua.conferences.services import IssuedCode

    seeded = random.Random(2023)  # noqa: S311 -- a picture's stand-in codes, not secrets
    delegates = list(conference.delegates.filter(votes=True).select_related("organization").order_by("pk"))
    issued = []
    for number, delegate in enumerate(delegates, start=1):
        delegate.card = delegate.card or f"{number:02d}"
        made_up = "".join(seeded.choice(codes.ALPHABET) for _ in range(codes.CODE_LENGTH))
        issued.append(IssuedCode(delegate, codes.format_code(made_up)))
    return pdf.cards_pdf(conference, issued, "http://192.168.1.20:8000/bo-phieu/")


def _ballot_pdf(conference: Conference) -> bytes:
    from thidua.conferences import pdf
    from thidua.conferences.models import PollKind

    return pdf.paper_ballot_pdf(conference.polls.get(kind=PollKind.NOMINATION), 2)


def samples(conference: Conference) -> list[Sample]:
    from thidua.documents.converter import convert_to_pdf

    def official(kind: str, number: int) -> Callable[[], bytes]:
        return lambda: convert_to_pdf(official_docx(conference, kind, number))

    made = [Sample(name, official(kind, number)) for number, (name, kind) in enumerate(OFFICIAL, start=1)]
    made.append(Sample("the-bieu-quyet", lambda: _cards_pdf(conference)))
    made.append(Sample("phieu-suy-ton", lambda: _ballot_pdf(conference)))
    return made


def page_pngs(pdf: bytes, dpi: int = DPI, *, every_page: bool = False) -> list[bytes]:
    """Page 1 of `pdf`, or every page, as PNGs in grey levels (the documents are black on white)."""
    with tempfile.TemporaryDirectory(prefix="thidua-sample-") as folder:
        source = Path(folder) / "page.pdf"
        source.write_bytes(pdf)
        stem = Path(folder) / "page"
        command = ["pdftoppm", "-png", "-gray", "-r", str(dpi)]
        command += [] if every_page else ["-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*command, str(source), str(stem)], check=True, capture_output=True, timeout=120)  # noqa: S603
        # pdftoppm names pages page-1.png … or page-01.png …, padded to the page count's digits.
        pages = sorted(
            Path(folder).glob("page*.png"), key=lambda p: int(p.stem.removeprefix("page").lstrip("-") or 0)
        )
        return [page.read_bytes() for page in pages]


def page_name(name: str, page: int) -> str:
    """ "giao-uoc.png" for page 1 (the README shows it), "giao-uoc-trang-3.png" for page 3."""
    return f"{name}.png" if page == 1 else f"{name}-trang-{page}.png"


def render(conference: Conference, out: Path, dpi: int = DPI) -> list[Path]:
    """Every sample into `out`: each page of the official documents (where a heading left alone at the
    foot of a page or a lone signature block would show), page 1 of the cards and the ballot. Pages of
    an earlier render beyond the new page count are removed. Returns the files written."""
    written = []
    for sample in samples(conference):
        every = sample.name in {name for name, _ in OFFICIAL}
        pages = page_pngs(sample.make_pdf(), dpi, every_page=every)
        for stale in out.glob(f"{sample.name}-trang-*.png"):
            stale.unlink()
        for number, png in enumerate(pages, start=1):
            target = out / page_name(sample.name, number)
            target.write_bytes(png)
            written.append(target)
    return written


def setup_django(throwaway: Path | None) -> None:
    """Django with the demo in a new SQLite database at `throwaway`, or with the configured database
    (which must hold the demo) when it is None. Also used by bench.docx_bench."""
    if throwaway is not None:
        # Before settings load: they read the database from the environment.
        os.environ["DATABASE_URL"] = ""
        os.environ["THIDUA_SQLITE_PATH"] = str(throwaway)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    if throwaway is not None:
        from django.core.management import call_command

        from thidua.demo.loader import load_full_demo

        # The demo's users are thrown away with the database: hashing their passwords slowly buys nothing.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", interactive=False, verbosity=0)
        load_full_demo()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "samples", help="folder of the PNGs")
    parser.add_argument("--dpi", type=int, default=DPI, help="resolution of the PNGs")
    parser.add_argument(
        "--configured-db", action="store_true", help="use the configured database (with the demo loaded)"
    )
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is needed to render the pages", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="thidua-samples-") as folder:
        setup_django(None if args.configured_db else Path(folder) / "demo.sqlite3")
        from thidua.documents import converter

        if not converter.pdf_available():
            print("LibreOffice (soffice) is needed to convert the documents to PDF", file=sys.stderr)
            return 1
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            for target in render(replayed_conference(), args.out, args.dpi):
                print(
                    f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                    f"{target.stat().st_size // 1024} KB"
                )
        finally:
            converter.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
