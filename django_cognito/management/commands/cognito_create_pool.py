"""``manage.py cognito_create_pool NAME``: create a local user pool (CreateUserPool)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...models import UserPool
from ...services import pools
from ..base import CognitoCommand

POLICY_FLAGS = {"uppercase": "RequireUppercase", "lowercase": "RequireLowercase",
                "numbers": "RequireNumbers", "symbols": "RequireSymbols"}


def pool_summary(pool: UserPool) -> dict[str, Any]:
    """The key settings of a pool, in DescribeUserPool's member names."""
    return {
        "Id": pool.id,
        "Name": pool.name,
        "UsernameAttributes": list(pool.username_attributes),
        "AliasAttributes": list(pool.alias_attributes),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "AutoVerifiedAttributes": list(pool.auto_verified_attributes),
        "Policies": {"PasswordPolicy": {
            "MinimumLength": pool.minimum_length,
            "RequireUppercase": pool.require_uppercase,
            "RequireLowercase": pool.require_lowercase,
            "RequireNumbers": pool.require_numbers,
            "RequireSymbols": pool.require_symbols,
            "PasswordHistorySize": pool.password_history_size,
            "TemporaryPasswordValidityDays": pool.temporary_password_validity_days,
        }},
        "MfaConfiguration": pool.mfa_configuration,
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",
    }


class Command(CognitoCommand):
    help = "Create a local user pool and print its id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Pool name (1 to 128 characters).")
        parser.add_argument(
            "--username-attributes", nargs="+", action="extend", default=[],
            choices=sorted(pools.USERNAME_ATTRIBUTE_CHOICES), metavar="ATTRIBUTE",
            help="Sign in with these instead of a username: email, phone_number.")
        parser.add_argument(
            "--alias-attributes", nargs="+", action="extend", default=[],
            choices=sorted(pools.ALIAS_ATTRIBUTE_CHOICES), metavar="ATTRIBUTE",
            help="Also sign in with these: email, phone_number, preferred_username.")
        parser.add_argument("--case-insensitive", action="store_true",
                            help="Match usernames and aliases ignoring case.")
        parser.add_argument(
            "--auto-verify", nargs="+", action="extend", default=[],
            choices=sorted(pools.USERNAME_ATTRIBUTE_CHOICES), metavar="ATTRIBUTE",
            help="Send codes to verify these: email, phone_number.")
        parser.add_argument("--min-length", type=int, metavar="N",
                            help="Minimum password length (6 to 99; default 8).")
        for flag, member in POLICY_FLAGS.items():
            parser.add_argument(f"--no-require-{flag}", action="store_true",
                                help=f"Passwords need no {flag} ({member}=false).")
        parser.add_argument("--password-history-size", type=int, metavar="N",
                            help="Refuse the last N passwords (0 to 24).")
        parser.add_argument("--deletion-protection", action="store_true",
                            help="Refuse to delete the pool until this is turned off.")
        parser.add_argument("--normalize-usernames", action="store_true",
                            help="Compare usernames in NFKC form (case folded when "
                                 "case-insensitive) and refuse mixed-script look-alikes; not "
                                 "Cognito's behaviour, recommended for new pools.")
        parser.add_argument("--pool-id", metavar="ID",
                            help="Keep this id (such as a pool's id on AWS) instead of a new "
                                 "random one.")
        parser.add_argument("--json", action="store_true",
                            help="Print the pool's key settings as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        policy: dict[str, Any] = {member: False for flag, member in POLICY_FLAGS.items()
                                  if options[f"no_require_{flag}"]}
        if options["min_length"] is not None:
            policy["MinimumLength"] = options["min_length"]
        if options["password_history_size"] is not None:
            policy["PasswordHistorySize"] = options["password_history_size"]
        pool = pools.create_user_pool(
            options["name"], username_attributes=options["username_attributes"],
            alias_attributes=options["alias_attributes"],
            case_sensitive=not options["case_insensitive"],
            auto_verified_attributes=options["auto_verify"], password_policy=policy,
            deletion_protection=options["deletion_protection"], pool_id=options["pool_id"],
            normalize_usernames=options["normalize_usernames"])
        if options["json"]:
            self.write_json(pool_summary(pool))
        else:
            self.stdout.write(pool.id)
