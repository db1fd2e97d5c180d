"""Tests for thidua.lib.text: NFC, cleaning, search folding and Vietnamese dictionary order."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.text import (
    clean_text,
    first_sentences,
    fold,
    nfc,
    sort_bytes,
    sort_text,
    sort_vietnamese,
    vietnamese_sort_key,
)

LIB_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = LIB_DIR.parents[1]
LIB_MODULES = ["text", "dates", "decimals"]


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


# Every letter a Vietnamese name can contain: the 29 letters (plus f j w z) under each of the six tones,
# in both cases. Tones only sit on vowels, but putting them everywhere makes the strategies harsher.
_BASE_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
VIETNAMESE_LETTERS = sorted(
    {nfc(letter + tone) for base in _BASE_LETTERS for letter in (base, base.upper()) for tone in _TONE_MARKS}
)
# Joined from a list because some entries (a tone on a consonant) are two code points even in NFC.
vietnamese_text = st.lists(st.sampled_from([*VIETNAMESE_LETTERS, " ", " ", "\t", "\u00a0"])).map("".join)

# Provinces in Vietnamese dictionary order, checked by hand against the rule (syllable by syllable;
# letters a < ă < â, d < đ…; then tone). Notable spots: "Bà" < "Bạc" (prefix "ba" < "bac"); "Bạc" < "Bắc"
# (a < ă); "Cà" < "Cao" (prefix) < "Cần" (a < â in second position); "Bình Dương" < "Bình Định" (d < đ);
# "Hà Tĩnh" < "Hải" ("ha" prefix of "hai") < "Hậu" (a < â); "Khánh" < "Kiên" < "Kon" (h < i < o).
PROVINCES_IN_ORDER = [
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
]


# --- stdlib only


@pytest.mark.parametrize("module", LIB_MODULES)
def test_lib_module_imports_only_the_standard_library_and_thidua_lib(module: str) -> None:
    tree = ast.parse((LIB_DIR / f"{module}.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("thidua.lib.")
    }
    assert foreign == set()


@pytest.mark.parametrize("module", LIB_MODULES)
def test_lib_module_loads_in_a_fresh_interpreter_without_pulling_in_django(module: str) -> None:
    # A fresh interpreter, because this pytest process may well have Django loaded by other tests.
    code = f"import sys, thidua.lib.{module}; sys.exit('django' in sys.modules)"
    result = subprocess.run(  # noqa: S603 -- fixed arguments, no user input
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr or "django was imported"


# --- nfc and clean_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bi\u0300nh", "Bình"),
        ("Thu\u031b\u0300a Thie\u0302n Hue\u0302\u0301", "Thừa Thiên Huế"),
        ("Bình", "Bình"),
        ("  Hà  Nội\n", "  Hà  Nội\n"),  # whitespace is clean_text's business, not nfc's
        ("", ""),
    ],
)
def test_nfc_composes_decomposed_vietnamese_and_changes_nothing_else(typed: str, expected: str) -> None:
    assert nfc(typed) == expected


@given(st.text())
def test_nfc_is_idempotent(value: str) -> None:
    assert nfc(nfc(value)) == nfc(value)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Hà   Nội  ", "Hà Nội"),
        ("Hà\tNội\n", "Hà Nội"),
        ("Hà\u00a0Nội", "Hà Nội"),  # non-breaking space pasted from Word
        ("Ninh  Bi\u0300nh", "Ninh Bình"),
        (" \t\n ", ""),
        ("", ""),
    ],
)
def test_clean_text_normalizes_trims_and_collapses_whitespace(typed: str, expected: str) -> None:
    assert clean_text(typed) == expected


@given(st.text())
def test_clean_text_is_idempotent_and_leaves_no_double_or_edge_spaces(value: str) -> None:
    cleaned = clean_text(value)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


# --- fold


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bình", "binh"),
        ("Bi\u0300nh", "binh"),
        ("ĐỊNH", "dinh"),
        ("đường", "duong"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("  Bà Rịa -   Vũng Tàu ", "ba ria - vung tau"),
        ("Ặ ặ Ữ ữ Ỡ ỡ", "a a u u o o"),
        ("binh", "binh"),
        ("", ""),
    ],
)
def test_fold_drops_tones_letter_marks_and_case(typed: str, expected: str) -> None:
    assert fold(typed) == expected


def test_fold_lets_a_search_without_diacritics_find_the_vietnamese_name() -> None:
    assert fold("hai phong") in fold("Thành phố Hải Phòng")


@given(st.text())
def test_fold_is_idempotent(value: str) -> None:
    assert fold(fold(value)) == fold(value)


@given(vietnamese_text)
def test_fold_of_vietnamese_letters_is_lowercase_ascii(value: str) -> None:
    folded = fold(value)
    assert folded.isascii()
    assert folded == folded.lower()


@given(st.text())
def test_fold_ignores_the_normalization_form(value: str) -> None:
    assert fold(nfd(value)) == fold(value)


# Vietnamese letters only: in other scripts upper() and lower() do not round-trip (Turkish "ı" uppercases
# to "I", which folds to "i"), and that is no concern of a Vietnamese search.
@given(vietnamese_text)
def test_fold_ignores_case(value: str) -> None:
    assert fold(value.upper()) == fold(value.lower()) == fold(value)


# --- Vietnamese sort order


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Letters with marks are letters of their own, after their base letter.
        ("An", "Ăn"),
        ("Ăn", "Ân"),
        ("Dương", "Đà Nẵng"),
        ("Đồng Tháp", "Ê"),
        ("Ê", "Gia Lai"),
        ("Cao", "Cần"),
        ("Ông", "Ơn"),
        ("Uy", "Ưng"),
        # f j w z sit where the Latin alphabet puts them.
        ("ê", "f"),
        ("f", "g"),
        ("i", "j"),
        ("j", "k"),
        ("v", "w"),
        ("w", "x"),
        ("y", "z"),
        # Syllable by syllable: a shorter syllable that is a prefix comes first.
        ("Hà Nội", "Hà Tĩnh"),
        ("Hà Tĩnh", "Hải Phòng"),
        ("Hà", "Hà Nội"),
        ("Bà Rịa", "Bạc Liêu"),
        # Tone only breaks ties between identical letters, syllable by syllable, as in a dictionary:
        # every "ma …" entry comes before "mà".
        ("ma", "mà"),
        ("mà", "mả"),
        ("mả", "mã"),
        ("mã", "má"),
        ("má", "mạ"),
        ("Ma túy", "mà"),
        ("ma ma", "ma mạ"),
        # Case comes last, lowercase first.
        ("an", "An"),
        ("hà nội", "Hà Nội"),
        # Digits and punctuation before letters; other scripts after them.
        ("1 Tháng 5", "An"),
        ("- ", "a"),
        ("Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"),
        ("z", "α"),
        ("yến", "Москва"),
    ],
)
def test_vietnamese_sort_key_puts_the_pair_in_dictionary_order(first: str, second: str) -> None:
    assert vietnamese_sort_key(first) < vietnamese_sort_key(second)
    assert sort_vietnamese([second, first]) == [first, second]


def test_sort_vietnamese_reproduces_the_hand_sorted_province_list() -> None:
    shuffled = PROVINCES_IN_ORDER[:]
    random.Random(2024).shuffle(shuffled)
    assert sort_vietnamese(shuffled) == PROVINCES_IN_ORDER
    assert sort_vietnamese(reversed(PROVINCES_IN_ORDER)) == PROVINCES_IN_ORDER


@given(st.permutations(PROVINCES_IN_ORDER))
def test_sort_vietnamese_orders_provinces_whatever_the_input_order(provinces: list[str]) -> None:
    assert sort_vietnamese(provinces) == PROVINCES_IN_ORDER


def test_sort_vietnamese_treats_decomposed_input_like_composed_input() -> None:
    decomposed = [nfd(name) for name in reversed(PROVINCES_IN_ORDER)]
    assert [nfc(name) for name in sort_vietnamese(decomposed)] == PROVINCES_IN_ORDER
    assert vietnamese_sort_key(nfd("Đà Nẵng")) == vietnamese_sort_key("Đà Nẵng")


def test_old_and_new_tone_placement_differ_only_in_the_final_tie_break() -> None:
    old_style, new_style = vietnamese_sort_key("Hòa Bình"), vietnamese_sort_key("Hoà Bình")
    assert old_style[:2] == new_style[:2]
    assert old_style != new_style


def test_a_mark_that_builds_no_vietnamese_letter_sorts_with_its_base_letter() -> None:
    e_breve = vietnamese_sort_key("e\u0306")  # ĕ is not a Vietnamese letter
    assert e_breve[0] == vietnamese_sort_key("e")[0]


def test_a_stray_combining_mark_sorts_like_punctuation_before_letters() -> None:
    assert vietnamese_sort_key("\u0301a") < vietnamese_sort_key("a")


@given(st.text(), st.text())
def test_vietnamese_sort_key_ties_only_for_the_same_nfc_text(a: str, b: str) -> None:
    # Tuples compare totally, so equal keys are the only possible ties: they must mean equal text.
    assert (vietnamese_sort_key(a) == vietnamese_sort_key(b)) == (nfc(a) == nfc(b))


@given(st.lists(st.one_of(vietnamese_text, st.text())))
def test_sort_vietnamese_result_does_not_depend_on_input_order(values: list[str]) -> None:
    expected = [nfc(value) for value in sort_vietnamese(values)]
    assert [nfc(value) for value in sort_vietnamese(reversed(values))] == expected
    assert sorted(expected) == sorted(nfc(value) for value in values)  # a permutation of the input


# --- first_sentences

SEED_OPENING = (
    "Sáng 8/12, Cụm thi đua số 4 của Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam (gọi tắt là Liên hiệp "
    "Hội), Dự Hội nghị có địa diện lãnh đạo và cán bộ phụ trách thi đua khen thưởng của 7 tỉnh."
)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Ngắn thôi.", 200, "Ngắn thôi."),
        ("Câu một. Câu hai. Câu ba dài hơn hẳn.", 20, "Câu một. Câu hai."),
        ("Họp ngày 8.12 tại Vinh. Sau đó về.", 25, "Họp ngày 8.12 tại Vinh."),
        ("Hội KH&KT. tỉnh Nghệ An họp. Rồi về.", 32, "Hội KH&KT. tỉnh Nghệ An họp."),
        ("Hay quá! “Đúng vậy”, ông nói thêm nhiều.", 20, "Hay quá!"),
        ("Một câu rất dài không có dấu chấm nào", 20, "Một câu rất dài…"),
        ("Một, hai, ba, bốn, năm, sáu", 11, "Một, hai…"),
        ("Siêuđơnvịdàikhôngcódấucách", 10, "Siêuđơnvị…"),
        (
            SEED_OPENING,
            120,
            "Sáng 8/12, Cụm thi đua số 4 của Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam (gọi tắt là "
            "Liên hiệp Hội), Dự Hội nghị…",
        ),
    ],
)
def test_first_sentences_keep_whole_sentences_or_else_whole_words(
    text: str, limit: int, expected: str
) -> None:
    assert first_sentences(text, limit) == expected


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_first_sentences_fit_the_limit_and_open_the_text(value: str, limit: int) -> None:
    summary = first_sentences(value, limit)
    assert len(summary) <= limit
    assert clean_text(value).startswith(summary.removesuffix("…"))


# --- the same order as bytes, for a database to sort by ----------------------------------------------

_VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÔƯ fjwz1-", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    ),
    max_size=12,
)


@given(_VIETNAMESE_TEXT, _VIETNAMESE_TEXT)
def test_sort_bytes_order_any_two_texts_as_the_vietnamese_sort_key_does(a: str, b: str) -> None:
    key_a, key_b = vietnamese_sort_key(a), vietnamese_sort_key(b)
    bytes_a, bytes_b = sort_bytes(a), sort_bytes(b)
    assert (key_a < key_b) == (bytes_a < bytes_b)
    assert (key_a == key_b) == (bytes_a == bytes_b)


def test_sort_text_puts_the_provinces_in_dictionary_order() -> None:
    names = ["Yên Bái", "Đà Nẵng", "Hải Phòng", "Hà Tĩnh", "An Giang", "Ăn", "Ân", "hà nội", "Hà Nội"]
    assert sorted(names, key=sort_text) == sorted(names, key=vietnamese_sort_key)
    assert sorted(names, key=sort_text)[:4] == ["An Giang", "Ăn", "Ân", "Đà Nẵng"]
