"""The to-do e-mails (Notice) and the claimed periods of the worker's recurring jobs (PeriodicRun)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('years', '0004_stages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodicRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job', models.CharField(max_length=100, verbose_name='việc định kỳ')),
                ('period_start', models.DateTimeField(verbose_name='đầu kỳ')),
                ('claimed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='nhận lúc')),
            ],
            options={
                'verbose_name': 'lượt việc định kỳ',
                'verbose_name_plural': 'lượt việc định kỳ',
                'constraints': [models.UniqueConstraint(fields=('job', 'period_start'), name='one_run_per_job_and_period')],
            },
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, verbose_name='mã việc')),
                ('kind', models.CharField(choices=[('appeared', 'Việc mới'), ('reminder', 'Nhắc trước hạn'), ('late', 'Quá hạn')], max_length=10, verbose_name='loại thư')),
                ('text', models.CharField(max_length=300, verbose_name='việc')),
                ('url', models.CharField(max_length=500, verbose_name='đường dẫn')),
                ('due', models.DateField(blank=True, null=True, verbose_name='hạn')),
                ('day', models.DateField(verbose_name='ngày lập')),
                ('status', models.CharField(choices=[('pending', 'Chờ gửi'), ('sent', 'Đã gửi'), ('refused', 'Địa chỉ bị từ chối'), ('dropped', 'Không gửi nữa')], default='pending', max_length=10, verbose_name='trạng thái')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='số lần gửi')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='gửi lại từ')),
                ('claim', models.PositiveIntegerField(default=0, verbose_name='lượt')),
                ('address', models.EmailField(blank=True, max_length=254, verbose_name='địa chỉ đã gửi')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='lý do')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='lập lúc')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='gửi lúc')),
                ('emulation_year', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='years.emulationyear', verbose_name='năm thi đua')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to=settings.AUTH_USER_MODEL, verbose_name='người nhận')),
            ],
            options={
                'verbose_name': 'thư nhắc việc',
                'verbose_name_plural': 'thư nhắc việc',
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='notice_pending_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'key', 'kind'), name='one_notice_per_todo_and_kind')],
            },
        ),
    ]
