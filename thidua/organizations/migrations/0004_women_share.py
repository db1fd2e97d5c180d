"""Each organization's share of women per year, for the tie-break's women-share step (issue 15;
NĐ 152/2025/NĐ-CP, Điều 4 khoản 6). No figure is assumed for a year nobody recorded."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0003_second_round_and_board_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='WomenShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('percent', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), message='Tỷ lệ nữ (%) phải từ 0 đến 100.'), django.core.validators.MaxValueValidator(Decimal('100'), message='Tỷ lệ nữ (%) phải từ 0 đến 100.')], verbose_name='tỷ lệ nữ (%)')),
                ('source', models.CharField(help_text='Văn bản có số liệu, ví dụ: Báo cáo số lượng cán bộ ngày 31/12/2026. Ghi “Dữ liệu minh họa” nếu không phải số liệu thật.', max_length=400, verbose_name='căn cứ')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='women_shares', to='organizations.organization', verbose_name='đơn vị')),
            ],
            options={
                'verbose_name': 'tỷ lệ nữ',
                'verbose_name_plural': 'tỷ lệ nữ',
                'constraints': [models.UniqueConstraint(fields=('organization', 'year'), name='one_women_share_per_year'), models.CheckConstraint(condition=models.Q(('percent__gte', 0), ('percent__lte', 100)), name='women_share_percent_0_to_100', violation_error_message='Tỷ lệ nữ (%) phải từ 0 đến 100.')],
            },
        ),
    ]
