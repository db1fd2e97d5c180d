"""Each user may turn the to-do e-mails off, and sees why the mail server refused their address."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_news_manager_role'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='email_refused',
            field=models.CharField(blank=True, max_length=300, verbose_name='lý do địa chỉ e-mail bị từ chối'),
        ),
        migrations.AddField(
            model_name='user',
            name='email_reminders',
            field=models.BooleanField(default=True, verbose_name='nhận thư nhắc việc'),
        ),
    ]
