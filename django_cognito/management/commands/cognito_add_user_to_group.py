"""``manage.py cognito_add_user_to_group POOL_ID USERNAME GROUP``: AdminAddUserToGroup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...services import groups, pools
from ...services.users import get_user
from ..base import CognitoCommand


class Command(CognitoCommand):
    help = "Add a pool user (by username or alias) to a group of the pool."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pool_id", help="User pool id, such as us-east-1_Ab12Cd34E.")
        parser.add_argument("username", help="Username, or an alias that signs the user in.")
        parser.add_argument("group", help="Group name.")

    def handle(self, *args: Any, **options: Any) -> None:
        pool = pools.get_pool(options["pool_id"])
        user = get_user(pool, options["username"])
        groups.add_user_to_group(user, groups.get_group(pool, options["group"]))
        self.stdout.write(f"{user.username} is in {options['group']}")
