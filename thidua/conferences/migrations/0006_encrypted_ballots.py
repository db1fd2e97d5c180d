"""Ballots are stored encrypted (issue 14): the plaintext `selections` go, with the ballots of polls
already counted keeping their receipts only (their results stay in `Poll.result`).

A poll still open when this runs has plaintext ballots that nothing could encrypt without a key its
counting board never received: the migration stops and asks for the poll to be closed first, rather
than lose or leak its votes. On PostgreSQL the ballots' table is then rewritten (VACUUM FULL), so the
dropped column's bytes leave the table's files; the server's WAL and earlier backups still hold them
until they are recycled (docs/deployment.md)."""

from django.db import migrations, models


def refuse_open_polls_with_ballots(apps, schema_editor):
    Poll = apps.get_model("conferences", "Poll")
    open_polls = list(
        Poll.objects.filter(status="open", mode="electronic", ballots__isnull=False)
        .distinct()
        .values_list("pk", "title")
    )
    if open_polls:
        names = "; ".join(f"#{pk} «{title}»" for pk, title in open_polls)
        raise RuntimeError(
            "Còn cuộc bỏ phiếu điện tử đang mở có phiếu chưa mã hóa: "
            f"{names}. Hãy đóng và kiểm phiếu trước khi nâng cấp."
        )


def forget_plaintext(apps, schema_editor):
    Ballot = apps.get_model("conferences", "Ballot")
    Ballot.objects.update(selections=[])


def rewrite_ballots_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("conferences", "Ballot")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'VACUUM FULL "{table}"')  # noqa: S608 — the model's own table name  # nosec B608


class Migration(migrations.Migration):
    # VACUUM FULL runs outside a transaction; every step before it is one statement or idempotent.
    atomic = False

    dependencies = [
        ("conferences", "0005_poll_board_key"),
    ]

    operations = [
        migrations.RunPython(refuse_open_polls_with_ballots, migrations.RunPython.noop),
        migrations.RunPython(forget_plaintext, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ballot", name="selections"),
        migrations.AddField(model_name="ballot", name="content", field=models.JSONField(default=dict)),
        migrations.AlterField(model_name="ballot", name="receipt", field=models.CharField(max_length=64)),
        migrations.AddField(
            model_name="poll",
            name="public_key",
            field=models.CharField(blank=True, max_length=64, verbose_name="khóa công khai"),
        ),
        migrations.AddField(
            model_name="poll",
            name="key_holders",
            field=models.JSONField(blank=True, default=list, verbose_name="người giữ mảnh khóa"),
        ),
        migrations.AddField(
            model_name="poll",
            name="counted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="kiểm phiếu lúc"),
        ),
        migrations.AddField(
            model_name="poll",
            name="decryption",
            field=models.JSONField(blank=True, default=dict, verbose_name="giải mã tổng số phiếu"),
        ),
        migrations.RunPython(rewrite_ballots_table, migrations.RunPython.noop),
    ]
