"""Voting cards without locks (issue 14, part 5).

Five wrong codes used to lock a card for ten minutes, so anyone on the venue's Wi-Fi could lock every
delegate out. Codes now carry 80 random bits and no card number, wrong codes are throttled per client in
the cache, and the code's hash is what finds the card: the lock's two columns go, the hash gets a unique
index per conference.

The hashes stored so far were of "<card>-<secret>", a form no longer typed: they are emptied, so that no
card looks issued when its code can no longer be entered. Cards printed before this migration must be
issued and printed again.
"""

from django.db import migrations, models


def forget_codes_of_the_old_form(apps, schema_editor):
    Delegate = apps.get_model("conferences", "Delegate")
    Delegate.objects.exclude(code_hash="").update(code_hash="")


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0006_encrypted_ballots"),
    ]

    operations = [
        migrations.RemoveField(model_name="delegate", name="failed_attempts"),
        migrations.RemoveField(model_name="delegate", name="locked_until"),
        migrations.RunPython(forget_codes_of_the_old_form, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="delegate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code_hash", ""), _negated=True),
                fields=("conference", "code_hash"),
                name="one_code_per_conference",
            ),
        ),
    ]
