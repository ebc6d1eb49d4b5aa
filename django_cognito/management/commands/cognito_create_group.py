"""``manage.py cognito_create_group POOL_ID NAME``: create a group of a pool."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...services import groups, pools
from ..base import CognitoCommand


class Command(CognitoCommand):
    help = "Create a group of a user pool (CreateGroup) and print its name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pool_id", help="User pool id, such as us-east-1_Ab12Cd34E.")
        parser.add_argument("name", help="Group name (1 to 128 characters, no whitespace).")
        parser.add_argument("--description", help="Up to 2,048 characters.")
        parser.add_argument("--precedence", type=int, metavar="N",
                            help="Lower wins for cognito:preferred_role (0 or more).")
        parser.add_argument("--role-arn", metavar="ARN",
                            help="IAM role carried in cognito:roles.")

    def handle(self, *args: Any, **options: Any) -> None:
        pool = pools.get_pool(options["pool_id"])
        group = groups.create_group(pool, options["name"], description=options["description"],
                                    role_arn=options["role_arn"],
                                    precedence=options["precedence"])
        self.stdout.write(group.name)
