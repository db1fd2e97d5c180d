"""Speed of checking a signed original's signatures on upload (issue 15): at most 1 s for a signed
20-page PDF, timed against baselines measured in the same run.

The check is ``thidua.documents.signatures.check``, what the upload runs before anything is written:
parse the PDF, then for each signature verify the signed bytes' digest and the signature value, analyse
what was added after it, build the chain to the configured root and read the embedded revocation data.

Documents, each 20 A4 pages (reportlab), signed by pyHanko under a throwaway RSA 2048 CA made in the run
(RSA 2048 is what the Vietnamese CAs issue):
- *text*: 20 pages of text, about 60 KiB: a PDF exported from Word and signed;
- *scan*: the same with a different 1240 × 1754 JPEG (150 dpi) on every page, several MiB: a signed
  paper scan.
Each is timed signed once, signed twice (the first signature then needs the difference analysis of the
second revision), and signed once with a CRL added to the document security store.

Baselines, per document, timed in the same rounds: (a) SHA-256 of the file, what the upload computed
before issue 15; (b) a bare pyHanko parse: open the file, read its catalogue and list its signatures.

Prints a markdown section for docs/benchmarks.md; it writes nothing (the section is pasted by hand).

Usage, from the project root:
    .venv/bin/python -m bench.signature_bench [--rounds 15]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

PAGES = 20
BUDGET_SECONDS = 1.0
SECTION = "## Checking a signed original's signatures (issue 15)"


def _timed(work: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``rounds`` runs, after one untimed run (imports, first-call caches)."""
    work()
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def _scans(count: int) -> list[bytes]:
    """``count`` different greyscale page scans as JPEG (noise on white, so none compresses away)."""
    from PIL import Image

    picker = random.Random(15)  # noqa: S311 — pixels for a benchmark, not a secret
    scans = []
    for _ in range(count):
        page = Image.new("L", (1240, 1754), 255)
        speckles = bytes(picker.choice((0, 255, 255, 255)) for _ in range(155 * 219))
        page.paste(Image.frombytes("L", (155, 219), speckles).resize((1240, 1752)))
        out = io.BytesIO()
        page.save(out, "JPEG", quality=60)
        scans.append(out.getvalue())
    return scans


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed runs per figure (the median is kept)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from importlib.metadata import version

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader

    from thidua.documents import rules, signatures
    from thidua.documents.tests import signing

    load = os.getloadavg()[0]  # other work on the machine moves every figure; the ratios move less
    ca = signing.authority("CA thử nghiệm", key_kind="rsa")
    head, clerk = ca.issue("Nguyễn Văn An"), ca.issue("Trần Thị Bình")
    roots = [asn1_x509.Certificate.load(ca.certificate.public_bytes(serialization.Encoding.DER))]

    def bare_parse(data: bytes) -> None:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.root  # noqa: B018
        reader.embedded_signatures  # noqa: B018

    documents = {"text": signing.pdf(PAGES), "scan": signing.pdf(PAGES, scans=_scans(PAGES))}
    rows = []
    worst = 0.0
    for kind, unsigned in documents.items():
        once = signing.sign(unsigned, head)
        variants = {
            "signed once": once,
            "signed twice": signing.sign(signing.sign(unsigned, clerk, field_name="ThuKy"), head),
            "signed once + CRL in the DSS": signing.embed_crl(once, ca.crl()),
        }
        for label, data in variants.items():
            checked = signatures.check(data, roots=roots)
            assert checked.verdict is rules.Verdict.VALID, (kind, label, checked.report)
            sha = _timed(partial(hashlib.sha256, data), args.rounds)
            parse = _timed(partial(bare_parse, data), args.rounds)
            check = _timed(partial(signatures.check, data, roots=roots), args.rounds)
            worst = max(worst, check)
            rows.append(
                f"| {kind}, {label} | {len(data) / 1024:,.0f} KiB | {_ms(sha)} | {_ms(parse)} | **{_ms(check)}** "
                f"| {check / sha:,.0f} | {check / parse:.1f} |"
            )
    met = worst <= BUDGET_SECONDS
    today = datetime.date.today().isoformat()
    print(
        "\n".join(
            [
                SECTION,
                "",
                f"Goal (issue 15): checking the signatures of a signed {PAGES}-page PDF on upload takes at most 1 s.",
                "",
                f"Run of {today}: {os.cpu_count()} CPU(s), {_cpu()}, Python {platform.python_version()}, "
                f"pyHanko {version('pyhanko')}, pyhanko-certvalidator {version('pyhanko-certvalidator')}; "
                f"load average {load:.2f} at the start; RSA 2048 signer and root made in the run; "
                f"median of {args.rounds} runs after one warm-up. `.venv/bin/python -m bench.signature_bench`.",
                "",
                "| document (20 pages) | size | SHA-256 of the file (a) | bare pyHanko parse (b) | check "
                "| ratio to (a) | ratio to (b) |",
                "|---|---:|---:|---:|---:|---:|---:|",
                *rows,
                "",
                "(a) is what the upload computed before issue 15; (b) opens the file, reads its catalogue and "
                "lists its signatures, the least any check costs. The check is `signatures.check`: every "
                "signature's digest and value, the difference analysis of revisions added after it, the chain "
                "to the configured root, the embedded revocation data.",
                "",
                f"Goal, at most 1 s in every case (slowest {_ms(worst)}): **{'met' if met else 'missed'}**.",
            ]
        )
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
