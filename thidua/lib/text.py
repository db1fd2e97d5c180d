"""Vietnamese text helpers: normalization, search folding and alphabetical sorting.

Stdlib only on purpose: these helpers run in forms, importers, templates and management commands alike,
and must stay importable (and testable) without Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeAlias

__all__ = [
    "SortKey",
    "clean_text",
    "first_sentences",
    "fold",
    "nfc",
    "sort_vietnamese",
    "vietnamese_sort_key",
]


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC, and nothing else.

    Some Vietnamese keyboards and macOS file names send decomposed text ("Bi\\u0300nh" for "Bình").
    Both forms look identical on screen but compare unequal, so every string we store or compare
    goes through NFC first. Whitespace is deliberately left alone: that is ``clean_text``'s job.
    """
    return unicodedata.normalize("NFC", value)


def clean_text(value: str) -> str:
    """NFC-normalize, trim, and collapse every run of whitespace (tabs, newlines, NBSP…) to one space.

    Pasted names from Word or Excel routinely carry double spaces and non-breaking spaces, which would
    otherwise make "Hà  Nội" and "Hà Nội" two different units.
    """
    return " ".join(nfc(value).split())


# "đ"/"Đ" are letters in their own right in Unicode (U+0111/U+0110), not "d" plus a combining mark,
# so NFD leaves them alone and they have to be mapped by hand.
_D_STROKE = str.maketrans({"đ": "d", "Đ": "d"})


def _without_marks(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", value) if not unicodedata.combining(ch))


def fold(value: str) -> str:
    """Fold for diacritics- and case-insensitive search: ``fold("Thừa Thiên Huế") == "thua thien hue"``.

    Users search without diacritics all the time (phones, foreign keyboards), so both the query and the
    searched text are folded. Case folding happens before the marks are stripped because folding can
    itself introduce combining marks ("İ" casefolds to "i" + U+0307). The result is a fixed point:
    ``fold(fold(x)) == fold(x)``.
    """
    folded = _without_marks(nfc(value).translate(_D_STROKE).casefold())
    # NFC at the end only recomposes scripts where NFD splits letters that carry no mark (Hangul), so
    # that folded text is in the same form as everything else we store.
    return " ".join(nfc(folded).split())


# --- Summaries

# A sentence ends at ".", "!", "?" or "…" (closing quotes and brackets kept with it) before a space and
# a word that does not start in lowercase: "8.12" or "KH&KT. tỉnh" end none.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?= [\"'“‘(\[]*(\w))")


def first_sentences(text: str, limit: int = 200) -> str:
    """The opening of ``text`` in at most ``limit`` characters, for an article that has no summary:
    the whole sentences that fit, or when not even the first does, the words that fit and "…".

    >>> first_sentences("Một câu ngắn. Câu thứ hai dài hơn nhiều.", 20)
    'Một câu ngắn.'
    >>> first_sentences("Một câu rất dài không có dấu chấm", 20)
    'Một câu rất dài…'
    """
    text = clean_text(text)
    if len(text) <= limit:
        return text
    ends = [
        match.end()
        for match in _SENTENCE_END.finditer(text)
        if match.end() <= limit and not match.group(1).islower()
    ]
    if ends:
        return text[: ends[-1]]
    cut = text.rfind(" ", 0, limit)  # room for the "…" after the last whole word
    words = text[:cut] if cut > 0 else text[: limit - 1]
    return words.rstrip(" ,;:-–—") + "…"


# --- Vietnamese alphabetical order

# The 29 letters of the Vietnamese alphabet, with f, j, w, z (used in loanwords and foreign names) placed
# where the Latin alphabet puts them, so that every Latin letter has a rank. Keyed by NFD spelling
# ("ư" is "u" + horn) because that is how the letters are seen once a syllable is decomposed.
_ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {unicodedata.normalize("NFD", letter): rank for rank, letter in enumerate(_ALPHABET)}

# Combining marks that build a *letter* (ă â ê ô ơ ư): they are part of the primary key.
_LETTER_MARKS = frozenset({"\u0306", "\u0302", "\u031b"})  # breve, circumflex, horn

# Combining marks that carry the *tone*, ranked in dictionary order; no mark (thanh ngang) ranks 0.
_TONE_RANK = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}

# Digits and punctuation sort before every letter; letters outside the Latin alphabet (Greek, Cyrillic,
# CJK…) sort after every Vietnamese letter. Within a class, the second number orders the characters.
_CLASS_OTHER = 0
_CLASS_VIETNAMESE = 1
_CLASS_FOREIGN_LETTER = 2

CharKey: TypeAlias = tuple[int, int]
SyllableKey: TypeAlias = tuple[tuple[CharKey, ...], tuple[int, ...]]
SortKey: TypeAlias = tuple[tuple[SyllableKey, ...], tuple[bool, ...], str]


def _clusters(syllable: str) -> list[tuple[str, str]]:
    """Split a syllable into (base character, its combining marks) pairs, in NFD."""
    clusters: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFD", syllable):
        if unicodedata.combining(char) and clusters:
            base, marks = clusters[-1]
            clusters[-1] = (base, marks + char)
        else:
            # A mark with nothing before it stands alone, as a (non-letter) character of its own.
            clusters.append((char, ""))
    return clusters


def _char_key(base: str, letter_marks: str) -> CharKey:
    # [0]: lower() may return several code points ("İ" does, though NFD has already split it off).
    lowered = base.lower()[0]
    rank = _LETTER_RANK.get(lowered + letter_marks)
    if rank is None:
        # Marks that do not build a Vietnamese letter (a breve on "e", say) do not make a new letter:
        # fall back to the bare base letter so that the text still sorts next to its look-alikes.
        rank = _LETTER_RANK.get(lowered)
    if rank is not None:
        return (_CLASS_VIETNAMESE, rank)
    if base.isalpha():
        return (_CLASS_FOREIGN_LETTER, ord(lowered))
    return (_CLASS_OTHER, ord(base))


def _syllable_key(syllable: str) -> SyllableKey:
    """Letters of one syllable (with ă â đ ê ô ơ ư as letters of their own), then its tone."""
    letters: list[CharKey] = []
    tones: list[int] = []
    for base, marks in _clusters(syllable):
        # NFD puts marks in canonical order ("ặ" is a + dot below + breve), not letter-mark-then-tone,
        # hence the set lookups rather than relying on where each mark sits.
        letters.append(_char_key(base, "".join(m for m in marks if m in _LETTER_MARKS)))
        tones.extend(_TONE_RANK[m] for m in marks if m in _TONE_RANK)
    # A syllable carries one tone wherever it is written: "hòa" and "hoà" (old and new tone placement)
    # must tie here. Sorting keeps malformed syllables with several tone marks deterministic.
    return (tuple(letters), tuple(sorted(tones)))


def vietnamese_sort_key(value: str) -> SortKey:
    """Sort key for Vietnamese dictionary order, e.g. ``sorted(names, key=vietnamese_sort_key)``.

    Python's default order puts "Đà Nẵng" after "Yên Bái" (code point order) and "Ân" before "Ăn"; the
    dictionary order is:

    1. syllable by syllable (a syllable is a whitespace-separated word), as Vietnamese dictionaries do,
       so "Hà Tĩnh" < "Hải Phòng" because "ha" is a prefix of "hai";
    2. within a syllable, letters first in the order a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
       v x y (f j w z where the Latin alphabet puts them), ignoring tone and case; digraphs such as "ch"
       or "ng" are compared letter by letter, as in ICU's Vietnamese collation;
    3. then the syllable's tone: ngang < huyền < hỏi < ngã < sắc < nặng;
    4. then, over the whole string, case (lowercase first);
    5. finally the NFC text itself, so that the order is total: only strings that are equal after NFC
       get equal keys (NFD and NFC spellings of the same name do tie, on purpose).
    """
    text = nfc(value)
    syllables = tuple(_syllable_key(word) for word in text.split())
    case = tuple(ch.isupper() for ch in text if not ch.isspace())
    return (syllables, case, text)


def sort_vietnamese(values: Iterable[str]) -> list[str]:
    """Return ``values`` sorted in Vietnamese dictionary order (see ``vietnamese_sort_key``)."""
    return sorted(values, key=vietnamese_sort_key)


# Bytes that frame the elements of a sequence in `sort_bytes`: an element starts with _MORE, and the
# sequence ends with _END, which is smaller, so a sequence that is a prefix of another sorts first, as
# Python compares tuples.
_END, _MORE = b"\x01", b"\x02"


def _sequence(items: Iterable[bytes]) -> bytes:
    return b"".join(_MORE + item for item in items) + _END


def sort_bytes(value: str) -> bytes:
    """``vietnamese_sort_key(value)`` as bytes that compare the same way: a database can sort by them
    (stored hex-encoded, `sort_text`), so a list of thousands pages in SQL rather than in Python.

    Each letter is its class (1 byte) and rank (3 bytes, any code point fits); a syllable is its letters
    then its tones; the case flags follow, then the NFC text in UTF-8, whose byte order is code point
    order, as Python compares strings."""
    syllables, case, text = vietnamese_sort_key(value)
    return (
        _sequence(
            _sequence(bytes([cls]) + rank.to_bytes(3, "big") for cls, rank in letters)
            + _sequence(bytes([tone]) for tone in tones)
            for letters, tones in syllables
        )
        + _sequence(b"\x01" if upper else b"\x00" for upper in case)
        + text.encode("utf-8")
    )


def sort_text(value: str) -> str:
    """`sort_bytes` in hexadecimal: ASCII digits and lower-case letters sort alike under every collation
    PostgreSQL or SQLite may use, so `ORDER BY` on it is Vietnamese dictionary order."""
    return sort_bytes(value).hex()
