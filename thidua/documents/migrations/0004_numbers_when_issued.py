"""Numbers are given when a document is issued (ban hành), never to a draft (NĐ 30/2020; issue 15).

Drafts made before this took a number at each click: those numbers are taken back from the drafts,
which now read "Số:    /BB-…" until they are issued. The register's counters are left as they are, so
no number a draft once showed is ever given to another document.
"""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def unnumber_drafts(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    for document in Document.objects.filter(status="draft").exclude(number=None):
        document.number = None
        document.number_text = re.sub(r"^\d+", "    ", document.number_text)
        document.save(update_fields=["number", "number_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('conferences', '0008_mixed_polls'),
        ('documents', '0003_document_made_for_a_conference'),
        ('organizations', '0003_second_round_and_board_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='document',
            name='one_current_document_of_a_kind_per_conference',
        ),
        migrations.RemoveConstraint(
            model_name='document',
            name='one_current_document_of_a_kind_per_poll',
        ),
        migrations.AddField(
            model_name='document',
            name='replaces',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replacements', to='documents.document'),
        ),
        migrations.AlterField(
            model_name='document',
            name='number',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='số'),
        ),
        migrations.AlterField(
            model_name='document',
            name='status',
            field=models.CharField(choices=[('draft', 'Dự thảo'), ('issued', 'Đã ban hành'), ('discarded', 'Đã hủy'), ('replaced', 'Đã được thay thế')], default='draft', max_length=10),
        ),
        migrations.RunPython(unnumber_drafts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(('conference__isnull', False), ('poll__isnull', True), ('replaces__isnull', True), models.Q(('kind', ''), _negated=True), models.Q(('status', 'discarded'), _negated=True)), fields=('conference', 'kind'), name='one_current_document_of_a_kind_per_conference'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(('poll__isnull', False), ('replaces__isnull', True), models.Q(('status', 'discarded'), _negated=True)), fields=('poll', 'kind'), name='one_current_document_of_a_kind_per_poll'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(('replaces__isnull', False), models.Q(('status', 'discarded'), _negated=True)), fields=('replaces',), name='one_replacement_per_document'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('number__isnull', True), ('status', 'draft')), ('status', 'discarded'), models.Q(models.Q(('status__in', ['draft', 'discarded']), _negated=True), ('number__isnull', False)), _connector='OR'), name='a_draft_has_no_number_an_issued_document_has_one'),
        ),
    ]
