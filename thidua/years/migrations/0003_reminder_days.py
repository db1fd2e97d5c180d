"""Each year says how many days before a deadline its reminders go out."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('years', '0002_rename_table'),
    ]

    operations = [
        migrations.AddField(
            model_name='emulationyear',
            name='reminder_days',
            field=models.PositiveSmallIntegerField(default=3, help_text='0: không gửi thư nhắc trước hạn.', verbose_name='nhắc việc trước hạn (ngày)'),
        ),
    ]
