from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from thidua.documents import rules


class DocumentType(models.TextChoices):
    # Type codes of NĐ 30/2020/NĐ-CP, Phụ lục III (BB, TTr, BC) and the cluster's own GƯ.
    AGREEMENT = "GƯ", "Giao ước thi đua"
    MINUTES = "BB", "Biên bản"
    PROPOSAL = "TTr", "Tờ trình"
    REPORT = "BC", "Báo cáo"


class NumberSequence(models.Model):
    """The last number an issuer used in a year. Locked while a number is taken, so two people issuing
    at the same moment never get the same one; never decremented, so a discarded draft's number is
    never reused."""

    issuer_key = models.CharField(max_length=40)  # "group:3" or "org:12"
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sổ đăng ký số văn bản"
        constraints = [
            models.UniqueConstraint(fields=["issuer_key", "year"], name="one_sequence_per_issuer_year")
        ]

    def __str__(self) -> str:
        return f"{self.issuer_key} {self.year}: {self.last_number}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"
    DISCARDED = "discarded", "Đã hủy"
    # An issued document is never changed or withdrawn: a newly issued one that names it takes its place.
    REPLACED = "replaced", "Đã được thay thế"


class Document(models.Model):
    """A document by the group (signed by its head) or an organization. A draft has no number and no date
    of its own (NĐ 30/2020: both are given when it is issued, ban hành); `number` and `date` are set by
    `issuing.issue_draft`, once."""

    issuer_group = models.ForeignKey(
        "organizations.EmulationGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    issuer_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    doc_type = models.CharField("loại văn bản", max_length=4, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số", null=True, blank=True)
    number_text = models.CharField("số, ký hiệu", max_length=60)
    date = models.DateField("ngày ban hành")
    place = models.CharField("địa danh", max_length=100)
    summary = models.CharField("trích yếu", max_length=500)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    docx = models.FileField(upload_to="documents/%Y/", blank=True)
    # The parent body's template the DOCX was laid out on; none when the built-in layout was used.
    template = models.ForeignKey(
        "DocumentTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    pdf = models.FileField(upload_to="documents/%Y/", blank=True)
    # The SHA-256 of the DOCX kept now, and of the DOCX the PDF was made from. The worker makes the PDF in
    # the background (documents/pdfs.py) and saves it only while the two differ, under the row's lock: a
    # task run again after a killed worker, or taken by a second worker, saves nothing twice, and a
    # conversion of a DOCX made again since is dropped.
    docx_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_source = models.CharField(max_length=64, blank=True, editable=False)
    # Why the last conversion made no PDF, in Vietnamese for the register; blank while one is pending.
    pdf_error = models.CharField("lỗi tạo PDF", max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # What a conference's click made (`TemplateKind`: "minutes", "count", ...), for which conference and,
    # for a vote count, which poll. Blank on a document registered by hand.
    kind = models.CharField("loại lập từ hội nghị", max_length=12, blank=True)
    conference = models.ForeignKey(
        "conferences.Conference", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    poll = models.ForeignKey(
        "conferences.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # Who signs a document the leadership signs alone (a LeadershipRole; blank: the head), kept with the
    # draft so that issuing it makes the same signature block.
    signed_by = models.CharField("người ký", max_length=10, blank=True)
    # Whom a draft still lacks a signer for, one per line, as its last «Lập» found (the register says it
    # beside «Ban hành»); issuing looks again with the data of its day (issuing.missing_signers).
    missing_signers = models.TextField("người ký còn thiếu", blank=True, editable=False)
    # The issued document this one takes the place of once it is issued itself (its text says so).
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replacements"
    )

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        constraints = [
            # One current minutes, proposal, summary, agreement per conference, one vote count per poll:
            # a second click (or a second officer) gets the first, never 01/BB and 02/BB for one meeting.
            models.UniqueConstraint(
                fields=["conference", "kind"],
                condition=Q(conference__isnull=False, poll__isnull=True, replaces__isnull=True)
                & ~Q(kind="")
                & ~Q(status=DocumentStatus.DISCARDED),
                name="one_current_document_of_a_kind_per_conference",
            ),
            models.UniqueConstraint(
                fields=["poll", "kind"],
                condition=Q(poll__isnull=False, replaces__isnull=True) & ~Q(status=DocumentStatus.DISCARDED),
                name="one_current_document_of_a_kind_per_poll",
            ),
            # A document is replaced once: the one replacement in progress or issued.
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(replaces__isnull=False) & ~Q(status=DocumentStatus.DISCARDED),
                name="one_replacement_per_document",
            ),
            models.CheckConstraint(
                condition=Q(status=DocumentStatus.DRAFT, number__isnull=True)
                | Q(status=DocumentStatus.DISCARDED)
                | (~Q(status__in=[DocumentStatus.DRAFT, DocumentStatus.DISCARDED]) & Q(number__isnull=False)),
                name="a_draft_has_no_number_an_issued_document_has_one",
            ),
            models.CheckConstraint(
                condition=(Q(issuer_group__isnull=False) & Q(issuer_organization__isnull=True))
                | (Q(issuer_group__isnull=True) & Q(issuer_organization__isnull=False)),
                name="document_has_one_issuer",
            ),
            models.UniqueConstraint(
                fields=["issuer_group", "year", "number"],
                condition=Q(issuer_group__isnull=False),
                name="group_number_once_a_year",
            ),
            models.UniqueConstraint(
                fields=["issuer_organization", "year", "number"],
                condition=Q(issuer_organization__isnull=False),
                name="organization_number_once_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_text} — {self.summary}"

    @property
    def pdf_state(self) -> str:
        """ "ready", "failed", "pending" (queued or converting) or "none" (no DOCX yet)."""
        if self.pdf and (not self.docx_sha256 or self.pdf_source == self.docx_sha256):
            return "ready"
        if self.pdf_error:
            return "failed"
        return "pending" if self.docx else "none"


class SignatureStatus(models.TextChoices):
    """What checking the original's signatures on upload found (rules.Verdict, less the two outcomes
    that refuse the file: it is never kept broken or changed after signing)."""

    VALID = "valid", "Chữ ký số hợp lệ"
    UNTRUSTED = "untrusted", "Chữ ký số toàn vẹn, chứng thư số chưa được tin cậy"
    REVOKED = "revoked", "Chứng thư số của người ký đã bị thu hồi"
    UNSIGNED = "unsigned", "Chưa ký số"
    # Uploaded before signatures were checked (issue 15): nothing is known of them.
    UNCHECKED = "unchecked", "Chưa kiểm tra chữ ký số"


class SignedOriginal(models.Model):
    """The signed PDF uploaded as the original. Immutable: a new upload is a new version. Its signatures
    are checked once, on upload, and the result is kept with it (signatures.py)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="originals")
    version = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="originals/%Y/")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    signature_status = models.CharField(
        "chữ ký số", max_length=10, choices=SignatureStatus.choices, default=SignatureStatus.UNCHECKED
    )
    # {"checked_at", "trust_roots": how many were configured, "signatures": [{"field", "signer",
    # "organization", "issuer", "signing_time", "timestamp", "intact", "unchanged", "trusted",
    # "trust_problem", "revocation"}, ...]}, times in ISO 8601.
    signature_report = models.JSONField("kết quả kiểm tra chữ ký số", default=dict, blank=True)

    class Meta:
        verbose_name = "bản gốc đã ký"
        verbose_name_plural = "bản gốc đã ký"
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="original_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} — bản {self.version}"

    def signature_lines(self) -> list[str]:
        """One line per signature for the document page."""
        return [rules.describe_signature(entry) for entry in self.signature_report.get("signatures", [])]


class TemplateKind(models.TextChoices):
    """The documents a template can be the base of; the values are those of the issuing page's buttons.

    Biên bản hội nghị and biên bản kiểm phiếu share the type code BB but not their layout, so each has
    its own template."""

    AGREEMENT = "agreement", "Giao ước thi đua (GƯ)"
    MINUTES = "minutes", "Biên bản hội nghị (BB)"
    VOTE_COUNT = "count", "Biên bản kiểm phiếu (BB)"
    PROPOSAL = "proposal", "Tờ trình đề nghị khen thưởng (TTr)"
    REPORT = "summary", "Báo cáo, bảng tổng hợp (BC)"


# The agreement and the vote count are sent to nobody: their templates need no "Nơi nhận" field.
KINDS_WITH_RECIPIENTS = {TemplateKind.MINUTES, TemplateKind.PROPOSAL, TemplateKind.REPORT}


class DocumentTemplateQuerySet(models.QuerySet["DocumentTemplate"]):
    def current(self, parent_id: int, kind: str) -> DocumentTemplate | None:
        """The version in use: the latest upload (none: the built-in layout)."""
        return self.filter(parent_id=parent_id, kind=kind).order_by("-version").first()


class DocumentTemplate(models.Model):
    """A parent body's Word template for one kind of document. Immutable: a new upload is a new version,
    and the latest version is the one documents are laid out on."""

    parent = models.ForeignKey(
        "organizations.Organization",
        verbose_name="cơ quan cấp trên",
        on_delete=models.PROTECT,
        related_name="document_templates",
    )
    kind = models.CharField("loại văn bản", max_length=12, choices=TemplateKind.choices)
    version = models.PositiveSmallIntegerField("phiên bản")
    file = models.FileField(upload_to="document-templates/%Y/")
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField("tên tệp tải lên", max_length=255, blank=True)
    size = models.PositiveIntegerField("dung lượng (byte)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = "mẫu văn bản"
        verbose_name_plural = "mẫu văn bản"
        constraints = [
            models.UniqueConstraint(fields=["parent", "kind", "version"], name="template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — bản {self.version}"
