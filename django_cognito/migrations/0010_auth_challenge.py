"""The MFA challenge store holds every server-side sign-in challenge: named for it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("django_cognito", "0009_access_key_all_pools"),
    ]

    operations = [
        migrations.RenameModel("MfaChallenge", "AuthChallenge"),
        migrations.AlterField(
            model_name="authchallenge",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="auth_challenges",
                to="django_cognito.pooluser",
            ),
        ),
        migrations.RenameIndex(
            model_name="authchallenge",
            new_name="dc_auth_challenge_user",
            old_name="dc_mfa_challenge_user",
        ),
    ]
