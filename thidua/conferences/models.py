"""The year-end conference, its delegates and its polls.

Secret ballot (DESIGN.md, Decisions): `Participation` records that a voter took part in a poll, never
what they chose; `Ballot` records what was chosen, encrypted under the poll's public key, never by
whom. Both rows are written in one transaction, so whoever holds the database files can pair them
(PostgreSQL's xmin, the WAL, SQLite's rowid): the encryption is what keeps the choice secret, not the
rows. Only the totals are ever decrypted, with the counting board's key (`services.count_poll`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from thidua.web.versioning import Versioned


class ConferenceKind(models.TextChoices):
    YEAR_END = "year_end", "Hội nghị tổng kết"
    MID_YEAR = "mid_year", "Hội nghị sơ kết 6 tháng"
    SIGNING = "signing", "Hội nghị ký kết giao ước"


class Conference(Versioned):
    emulation_year = models.ForeignKey(
        "years.EmulationYear",
        verbose_name="năm thi đua",
        on_delete=models.PROTECT,
        related_name="conferences",
    )
    kind = models.CharField(
        "loại hội nghị", max_length=10, choices=ConferenceKind.choices, default=ConferenceKind.YEAR_END
    )
    title = models.CharField("tên hội nghị", max_length=300)
    starts_at = models.DateTimeField("thời gian")
    place = models.CharField("địa điểm", max_length=300)
    host = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đơn vị đăng cai",
        on_delete=models.PROTECT,
        related_name="+",
    )
    agenda = models.TextField("chương trình", blank=True)
    opinions = models.TextField("tóm tắt ý kiến thảo luận", blank=True)
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "hội nghị"
        verbose_name_plural = "hội nghị"

    def __str__(self) -> str:
        return self.title

    def people(self) -> dict[str, Delegate]:
        """The delegates holding the conference's roles (chủ trì, thư ký, đại diện cấp trên), by role: one
        query. Each is one of the delegates, so the minutes name every person once."""
        return {d.role: d for d in self.delegates.exclude(role="").select_related("organization")}


class ConferenceRole(models.TextChoices):
    """The roles a conference gives some of its delegates (issue 15, part 2): the minutes name them and
    the chair and the secretary sign them; the supervisor may hold a share of the counting board's key."""

    CHAIR = "chair", "Chủ trì hội nghị"
    SECRETARY = "secretary", "Thư ký hội nghị"
    SUPERVISOR = "supervisor", "Đại diện cơ quan cấp trên dự, chỉ đạo"


class Delegate(models.Model):
    """A person at the conference. Voters get a card with an access code (`thidua.conferences.codes`),
    kept only as its hash, which is also what finds the delegate; `card` is the number printed on the
    card for people to tell cards apart, no part of the code. No card is ever locked: wrong codes are
    throttled per client (`thidua.conferences.throttle`)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="delegates")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Để trống với khách mời.",
    )
    full_name = models.CharField("họ và tên", max_length=150)
    job_title = models.CharField("chức vụ", max_length=150, blank=True)
    votes = models.BooleanField("có quyền biểu quyết", default=False)
    counting_board = models.BooleanField("thành viên ban kiểm phiếu", default=False)
    role = models.CharField("vai trò tại hội nghị", max_length=12, choices=ConferenceRole.choices, blank=True)
    checked_in_at = models.DateTimeField("điểm danh lúc", null=True, blank=True)
    card = models.CharField("số thẻ", max_length=8, blank=True)
    code_hash = models.CharField(max_length=128, blank=True)
    # "org:12" for a member's voting delegate when the regulation gives one vote per member, else "":
    # the database then holds one voting delegate per member per conference, whatever runs at once.
    voting_seat = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "đại biểu"
        verbose_name_plural = "đại biểu"
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "card"], condition=~Q(card=""), name="one_card_number_per_conference"
            ),
            # Also the index every request of a delegate's phone finds its delegate by.
            models.UniqueConstraint(
                fields=["conference", "code_hash"], condition=~Q(code_hash=""), name="one_code_per_conference"
            ),
            models.UniqueConstraint(
                fields=["conference", "role"], condition=~Q(role=""), name="one_delegate_per_conference_role"
            ),
            models.UniqueConstraint(
                fields=["conference", "voting_seat"],
                condition=~Q(voting_seat="") & Q(votes=True),
                name="one_voting_delegate_per_member",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def words(self) -> str:
        """ "Nguyễn Văn A, Chủ tịch": the name with the job title, as the minutes list a person."""
        return self.full_name + (f", {self.job_title}" if self.job_title else "")


class PollKind(models.TextChoices):
    NOMINATION = "nomination", "Suy tôn, bình xét khen thưởng"
    ELECTION = "election", "Bầu cụm trưởng, cụm phó"
    MOTION = "motion", "Biểu quyết thông qua"


class PollStatus(models.TextChoices):
    DRAFT = "draft", "Chuẩn bị"
    OPEN = "open", "Đang bỏ phiếu"
    CLOSED = "closed", "Đã đóng, đang kiểm phiếu"
    PUBLISHED = "published", "Đã công bố kết quả"


class BallotMode(models.TextChoices):
    ELECTRONIC = "electronic", "Bỏ phiếu điện tử"
    PAPER = "paper", "Phiếu giấy"
    # Phones for those who have them, paper for the others: the board's paper count is added to the
    # decrypted electronic totals (issue 14, part 9).
    MIXED = "mixed", "Điện tử và phiếu giấy"


ELECTRONIC_MODES = (BallotMode.ELECTRONIC, BallotMode.MIXED)
PAPER_MODES = (BallotMode.PAPER, BallotMode.MIXED)


class Poll(models.Model):
    """One question put to the vote. The regulation's rules are copied in when it opens, with their
    sources, so a later change of the regulation never changes a vote already held."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="polls")
    kind = models.CharField("loại", max_length=12, choices=PollKind.choices)
    title = models.CharField("nội dung bỏ phiếu", max_length=300)
    method = models.CharField("cách bỏ phiếu", max_length=14)  # rules.Method
    mode = models.CharField(
        "hình thức", max_length=10, choices=BallotMode.choices, default=BallotMode.ELECTRONIC
    )
    seats = models.PositiveSmallIntegerField("số suất", default=1)
    max_picks = models.PositiveSmallIntegerField("số phương án chọn tối đa", default=1)
    award_form = models.CharField("hình thức khen thưởng", max_length=30, blank=True)
    # What it decides: next year's leadership role, or next year's agreement.
    leadership_role = models.CharField(max_length=10, blank=True)
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="adoption_polls"
    )
    runoff_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runoffs",
        verbose_name="bỏ phiếu lại của",
    )
    round = models.PositiveSmallIntegerField("vòng", default=1)
    status = models.CharField(
        "trạng thái", max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    position = models.PositiveSmallIntegerField(default=0)
    # The regulation's rules as they stood when the poll opened.
    voting_unit = models.CharField(max_length=20, blank=True)
    self_vote_allowed = models.BooleanField(default=True)
    vote_base = models.CharField(max_length=20, blank=True)
    threshold_numerator = models.PositiveSmallIntegerField(default=1)
    threshold_denominator = models.PositiveSmallIntegerField(default=2)
    threshold_inclusive = models.BooleanField(default=False)
    quorum_numerator = models.PositiveSmallIntegerField(default=2)
    quorum_denominator = models.PositiveSmallIntegerField(default=3)
    rule_sources = models.JSONField(default=dict)
    eligible = models.PositiveSmallIntegerField("số người có quyền bỏ phiếu", default=0)
    members = models.PositiveSmallIntegerField("số đơn vị thành viên", default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField("công bố lúc", null=True, blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)
    # A nomination's members the regulation left out, with why: [{"key", "name", "reason"}].
    left_out = models.JSONField("không đưa vào danh sách", default=list, blank=True)
    confirmed_at = models.DateTimeField("ban kiểm phiếu xác nhận lúc", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The regulation's split of the counting board's key as it stood when the poll opened: any
    # `board_key_threshold` of the `board_key_holders` shares rebuild the poll's key (issue 14).
    board_key_threshold = models.PositiveSmallIntegerField("số mảnh khóa cần để kiểm phiếu", default=2)
    board_key_holders = models.PositiveSmallIntegerField(
        "số thành viên ban kiểm phiếu giữ mảnh khóa", default=3
    )
    # The encrypted ballots' key (DESIGN.md, secret ballot): only the public half is kept, hex. The
    # secret exists in memory while the poll opens (split into the counting board's shares, printed
    # once) and while the totals are counted (rebuilt from k shares, then forgotten).
    public_key = models.CharField("khóa công khai", max_length=64, blank=True)
    # Who holds a share of the key: [{"index", "name", "role", "commitment"}]; a commitment is a hash
    # that tells a share typed at the count right from wrong without revealing it.
    key_holders = models.JSONField("người giữ mảnh khóa", default=list, blank=True)
    counted_at = models.DateTimeField("kiểm phiếu lúc", null=True, blank=True)
    # The decrypted totals per slot (candidates in order, then blank) with their proofs of correct
    # decryption: with the ballots, the poll's published record.
    decryption = models.JSONField("giải mã tổng số phiếu", default=dict, blank=True)
    # Set by `open_poll` on the instance it returns, for the page that prints the board's key cards:
    # an attribute of that object in memory, never a field.
    board_shares: list[Any]

    class Meta:
        verbose_name = "cuộc bỏ phiếu"
        verbose_name_plural = "cuộc bỏ phiếu"
        ordering = ["conference", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "position"], name="one_poll_per_position")
        ]

    def __str__(self) -> str:
        return self.title + (f" (vòng {self.round})" if self.round > 1 else "")

    @property
    def electronic(self) -> bool:
        """Phones vote in it: its ballots are encrypted and the counting board's shares count them."""
        return self.mode in ELECTRONIC_MODES

    @property
    def paper(self) -> bool:
        """Paper ballots are cast in it: the counting board enters their count."""
        return self.mode in PAPER_MODES


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    key = models.CharField(max_length=40)
    label = models.CharField("phương án", max_length=300)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField("thông tin thêm", max_length=300, blank=True)  # e.g. "Điểm chốt 94,00 — hạng 1"
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "phương án"
        verbose_name_plural = "phương án"
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "key"], name="choice_key_unique_per_poll")]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """That a voter took part in a poll — never what they chose. The unique constraint is what
    enforces one vote per voter (per organization when the regulation says one vote per member)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="participations")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="participations")
    # The organization's id when one vote per member organization, else the delegate's, prefixed:
    # "org:12" / "delegate:40". Unique per poll.
    voter_key = models.CharField(max_length=40)

    class Meta:
        verbose_name = "lượt tham gia bỏ phiếu"
        verbose_name_plural = "lượt tham gia bỏ phiếu"
        constraints = [models.UniqueConstraint(fields=["poll", "voter_key"], name="one_vote_per_voter")]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.voter_key}"


class Ballot(models.Model):
    """What was voted, encrypted under the poll's public key — never by whom, and never readable by
    whoever holds the database: one ciphertext per choice (and one for a blank ballot), each with its
    proof that it encrypts 0 or 1, and a proof that the picks keep to the poll's limit
    (thidua/lib/elgamal.py). No voter field, no timestamp, no serial id. Polls counted before ballots
    were encrypted keep their receipts only (migration 0006)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    content = models.JSONField(default=dict)  # elgamal.Ballot.to_dict()
    receipt = models.CharField(max_length=64)  # SHA-256 of the encrypted ballot, hex

    class Meta:
        verbose_name = "phiếu bầu"
        verbose_name_plural = "phiếu bầu"
        constraints = [models.UniqueConstraint(fields=["poll", "receipt"], name="receipt_unique_per_poll")]

    def __str__(self) -> str:
        return self.receipt


class PaperCount(models.Model):
    """The counting board's count of paper ballots for a poll."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="paper_count")
    issued = models.PositiveSmallIntegerField("số phiếu phát ra")
    returned = models.PositiveSmallIntegerField("số phiếu thu về")
    valid = models.PositiveSmallIntegerField("số phiếu hợp lệ (có chọn)")
    blank = models.PositiveSmallIntegerField("số phiếu trắng", default=0)
    invalid = models.PositiveSmallIntegerField("số phiếu không hợp lệ")
    counts = models.JSONField("số phiếu từng phương án", default=dict)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "kiểm phiếu giấy"
        verbose_name_plural = "kiểm phiếu giấy"

    def __str__(self) -> str:
        return f"Kiểm phiếu {self.poll}"
