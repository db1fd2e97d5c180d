"""What official text may cite for a rule, as opposed to the note staff keep beside it. Pure, stdlib only.

A regulation's rule carries a source written for staff: the legal text, a confidence mark (DOMAIN.md:
[H] read in a primary text, [M] one secondary source, [L] common practice, a default to keep
configurable) and often a note ("mặc định, sửa được"). Issue 15: the marks and the notes live on the
regulation's settings page and in the admin; a document, a public page, a delegate's phone or a news
draft cites only the legal source. A source read in a primary text ([H]) is that legal source once its
mark is gone; any other source ([M], [L], or no mark at all) is a note, and the text cites instead the
regulation that sets the rule ("Căn cứ Quy chế …").
"""

from __future__ import annotations

import re

__all__ = ["MARKS", "has_mark", "official_source"]

# A confidence mark as DOMAIN.md writes it, with the space before it.
MARKS = re.compile(r"\s*\[(?:H|M|L)\]")
_PRIMARY = "[H]"
_NOTE_MARKS = ("[M]", "[L]")


def has_mark(text: str) -> bool:
    """Whether `text` carries a confidence mark: what official text must never show."""
    return MARKS.search(text) is not None


def official_source(source: str, regulation: str) -> str:
    """The citation official text may print for a rule: `source` without its mark when it was read in a
    primary text ([H], and no weaker mark beside it), else `regulation` (the title and the citation of
    the regulation that sets the rule). Empty when there is neither."""
    source = source.strip()
    if _PRIMARY in source and not any(mark in source for mark in _NOTE_MARKS):
        return MARKS.sub("", source).strip()
    return MARKS.sub("", regulation).strip()
