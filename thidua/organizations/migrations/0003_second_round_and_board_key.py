"""The regulation's second-round rule and the split of the counting board's key (issue 14).

Regulations that exist already take the defaults, with sources that say they are defaults: the second
round among the top two is common practice [L] (DOMAIN.md, Voting); 2 of 3 is thidua's own default."""

import django.core.validators
from django.db import migrations, models

SECOND_ROUND_SOURCE = (
    "Thông lệ [L]: khi không đủ phương án đạt ngưỡng, bỏ phiếu vòng 2 giữa hai phương án nhiều phiếu "
    "nhất và các phương án bằng phiếu với họ; mặc định, sửa được"
)
BOARD_KEY_SOURCE = (
    "Mặc định của thidua [M]: cần 2 trong 3 mảnh khóa do thành viên ban kiểm phiếu giữ, để một người "
    "vắng hay mất mảnh khóa không làm mất cuộc bỏ phiếu; sửa được"
)


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0002_versioned_regulation"),
    ]

    operations = [
        migrations.AddField(
            model_name="regulation",
            name="second_round",
            field=models.CharField(
                choices=[
                    ("none", "Không bỏ phiếu vòng 2: suất còn trống"),
                    (
                        "top_two",
                        "Bỏ phiếu vòng 2 giữa hai phương án nhiều phiếu nhất và các phương án bằng phiếu với họ",
                    ),
                ],
                default="top_two",
                help_text="Với mỗi suất còn trống: hai phương án nhiều phiếu nhất (và các phương án bằng phiếu với họ).",
                max_length=20,
                verbose_name="khi không đủ phương án đạt ngưỡng",
            ),
        ),
        migrations.AddField(
            model_name="regulation",
            name="second_round_source",
            field=models.CharField(
                default=SECOND_ROUND_SOURCE, max_length=400, verbose_name="căn cứ: bỏ phiếu vòng 2"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="regulation",
            name="board_key_threshold",
            field=models.PositiveSmallIntegerField(
                default=2,
                validators=[
                    django.core.validators.MinValueValidator(1, message="Cần một số từ 1 đến 9."),
                    django.core.validators.MaxValueValidator(9, message="Cần một số từ 1 đến 9."),
                ],
                verbose_name="số mảnh khóa cần để kiểm phiếu",
            ),
        ),
        migrations.AddField(
            model_name="regulation",
            name="board_key_holders",
            field=models.PositiveSmallIntegerField(
                default=3,
                validators=[
                    django.core.validators.MinValueValidator(1, message="Cần một số từ 1 đến 9."),
                    django.core.validators.MaxValueValidator(9, message="Cần một số từ 1 đến 9."),
                ],
                verbose_name="số thành viên ban kiểm phiếu giữ mảnh khóa",
            ),
        ),
        migrations.AddField(
            model_name="regulation",
            name="supervisor_holds_share",
            field=models.BooleanField(
                default=False,
                help_text="Khi quy chế quy định: đại diện cơ quan cấp trên dự hội nghị giữ thêm một mảnh, ngoài các thành viên ban kiểm phiếu.",
                verbose_name="đại diện cơ quan cấp trên giữ một mảnh khóa",
            ),
        ),
        migrations.AddField(
            model_name="regulation",
            name="board_key_source",
            field=models.CharField(
                default=BOARD_KEY_SOURCE, max_length=400, verbose_name="căn cứ: khóa của ban kiểm phiếu"
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="regulation",
            constraint=models.CheckConstraint(
                condition=models.Q(board_key_threshold__gte=1)
                & models.Q(board_key_threshold__lte=models.F("board_key_holders"))
                & models.Q(board_key_holders__lte=9),
                name="regulation_board_key_k_of_n",
                violation_error_message=(
                    "Số mảnh khóa cần để kiểm phiếu phải từ 1 đến số thành viên giữ mảnh khóa, "
                    "và tối đa 9 thành viên giữ mảnh khóa."
                ),
            ),
        ),
    ]
