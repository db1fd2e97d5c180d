"""What the API reads and writes, as typed schemas: the OpenAPI document is generated from these.

Scores and points travel as strings ("7.50"): a JSON number is a float in most clients, and a float
would turn 7,1 into 7.0999… (DESIGN.md, Decisions: scores are Decimal, never float). Inputs accept the
Vietnamese spelling too ("7,5"), read by the same parser as the web form.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator


def _clean(value: str) -> str:
    # Every input is NFC (DESIGN.md); control characters other than line breaks and tabs have no place
    # in a note, and NUL cannot be stored in PostgreSQL at all.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("Có ký tự điều khiển không hợp lệ.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError("Có ký tự không hợp lệ.")
    return unicodedata.normalize("NFC", value)


Text = Annotated[str, AfterValidator(_clean)]
# What a path segment may hold: the characters of the project's slugs and codes, nothing to escape.
SLUG_PATTERN = r"^[A-Za-z0-9_-]{1,80}$"
CODE_PATTERN = r"^[A-Za-z0-9._-]{1,16}$"


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Trang, từ 1.")
    page_size: int = Field(50, ge=1, le=200, description="Số mục mỗi trang (tối đa 200).")


class Page(Schema):
    count: int = Field(description="Tổng số mục, mọi trang.")
    page: int
    page_size: int


# Who is calling.


class RoleOut(Schema):
    kind: str
    organization: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


# Registry.


class GroupOut(Schema):
    slug: str
    kind: str
    number: int
    title: str
    parent: str


class GroupPage(Page):
    items: list[GroupOut]


class MemberOut(Schema):
    organization: str = Field(description="Mã đơn vị.")
    name: str = Field(description="Tên đơn vị có hiệu lực trong năm.")
    short_name: str
    kind: str


class MemberPage(Page):
    items: list[MemberOut]


class LeadershipOut(Schema):
    role: str = Field(description="head (cụm trưởng) hoặc deputy (cụm phó).")
    title: str
    organization: str
    name: str
    source: str


class LeadershipPage(Page):
    items: list[LeadershipOut]


# Agreements.


class CriterionOut(Schema):
    code: str
    text: str
    guidance: str
    kind: str
    max_points: str
    target: str | None
    points_per_unit: str | None
    evidence_required: bool


class CriterionGroupOut(Schema):
    code: str
    title: str
    max_points: str
    criteria: list[CriterionOut]


class AgreementOut(Schema):
    version: int
    status: str
    title: str
    goals: str
    commitments: str
    bonus_cap: str | None
    penalty_cap: str | None
    criterion_groups: list[CriterionGroupOut]


class AgreementPage(Page):
    items: list[AgreementOut]


# Results of a settled year.


class GroupPointsOut(Schema):
    code: str
    points: str


class MemberResultOut(Schema):
    organization: str
    name: str
    rank: int
    tied_for_conference: bool = Field(description="Bằng điểm ở vị trí này: hội nghị bỏ phiếu.")
    referred: bool = Field(
        default=False,
        description="Bằng điểm ở vị trí này sau các bước xử lý khi bằng nhau của quy chế: đề nghị cấp trên xem xét.",
    )
    final_total: str
    base: str
    bonus: str
    penalty: str
    band: str | None
    by_group: list[GroupPointsOut]


class ResultsPage(Page):
    group: str
    year: int
    maximum: str
    items: list[MemberResultOut]


# Published poll results.


class ChoiceResultOut(Schema):
    key: str
    label: str
    organization: str | None
    votes: int
    share: str
    percent: str
    passes: bool
    elected: bool
    tied: bool


class PollOut(Schema):
    id: int
    conference: str
    kind: str
    title: str
    round: int
    seats: int
    award_form: str
    participants: int
    valid: int
    blank: int
    invalid: int
    base: int
    quorum_met: bool
    quorum_needed: int
    votes_needed: int
    threshold: str
    elected: list[str]
    runoff: list[str]
    # Sent on to a second round by the regulation when too few passed the threshold; [] for results
    # counted before second rounds existed.
    second_round: list[str]
    outcome: str
    choices: list[ChoiceResultOut]


class PollPage(Page):
    items: list[PollOut]


# Self-scores.


class ScoreOut(Schema):
    criterion: str
    kind: str
    max_points: str
    value: str | None = Field(description="Giá trị đã nhập: điểm, 1/0, số đạt được hoặc số lần.")
    points: str | None = Field(description="Điểm tự chấm tính từ giá trị.")
    note: str


class SheetOut(Schema):
    organization: str
    year: int
    status: str
    self_total: str
    scores: list[ScoreOut]


class ScoreIn(Schema):
    value: Annotated[Text, Field(max_length=40)] | None = Field(
        description='Giá trị, viết kiểu Việt Nam ("7,5") hoặc có dấu chấm ("7.5"); null để xóa.'
    )
    note: Annotated[Text, Field(max_length=5000)] | None = Field(
        None, description="Thuyết minh; bỏ trống (null) để giữ nguyên."
    )


class BatchScoreIn(ScoreIn):
    criterion: str = Field(max_length=16, description="Mã tiêu chí, ví dụ 1.1.")


class BatchIn(Schema):
    scores: list[BatchScoreIn] = Field(min_length=1, max_length=500)


# Awards.


class AwardOut(Schema):
    organization: str = Field(description="Mã đơn vị được khen thưởng.")
    year: int = Field(description="Năm thi đua được khen thưởng.")
    award_form: str = Field(description="Hình thức khen thưởng (mã).")
    title: str = Field(description="Tên hình thức khen thưởng, như cơ quan cấp trên gọi.")
    decision_number: str = Field(description="Số quyết định khen thưởng.")
    decision_date: datetime.date
    group: str = Field(description="Cụm/khối đã đề nghị.")


class AwardPage(Page):
    items: list[AwardOut]
