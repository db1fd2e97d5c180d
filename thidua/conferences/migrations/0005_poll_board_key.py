"""A poll keeps the regulation's split of the counting board's key as it stood when it opened (issue 14)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("conferences", "0004_versioned_conference_and_one_of_each"),
    ]

    operations = [
        migrations.AddField(
            model_name="poll",
            name="board_key_threshold",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="số mảnh khóa cần để kiểm phiếu"),
        ),
        migrations.AddField(
            model_name="poll",
            name="board_key_holders",
            field=models.PositiveSmallIntegerField(
                default=3, verbose_name="số thành viên ban kiểm phiếu giữ mảnh khóa"
            ),
        ),
    ]
