"""EmulationYear moves from agreements to the years app: the table stays, only Django's state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organizations', '0001_initial'),
        ('agreements', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='EmulationYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                        ('status', models.CharField(choices=[('planning', 'Chuẩn bị'), ('signing', 'Ký giao ước'), ('scoring', 'Tự chấm điểm'), ('reviewing', 'Chấm chéo, giải trình'), ('settled', 'Đã chốt điểm'), ('closed', 'Đã tổng kết')], default='planning', max_length=12, verbose_name='giai đoạn')),
                        ('signing_due', models.DateField(blank=True, null=True, verbose_name='hạn ký giao ước')),
                        ('self_scoring_due', models.DateField(blank=True, null=True, verbose_name='hạn tự chấm điểm')),
                        ('review_due', models.DateField(blank=True, null=True, verbose_name='hạn chấm chéo')),
                        ('answer_due', models.DateField(blank=True, null=True, verbose_name='hạn giải trình')),
                        ('conference_date', models.DateField(blank=True, null=True, verbose_name='ngày hội nghị tổng kết')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='years', to='organizations.emulationgroup', verbose_name='cụm/khối')),
                    ],
                    options={
                        'verbose_name': 'năm thi đua',
                        'verbose_name_plural': 'năm thi đua',
                        'db_table': 'agreements_emulationyear',
                        'constraints': [models.UniqueConstraint(fields=('group', 'year'), name='one_emulation_year_per_group')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
