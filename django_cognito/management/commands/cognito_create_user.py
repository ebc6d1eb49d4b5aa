"""``manage.py cognito_create_user POOL_ID USERNAME``: create a user (AdminCreateUser)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...services import pools
from ...services.admin_users import MEDIUMS
from ..base import CognitoCommand, create_user, parse_attributes


class Command(CognitoCommand):
    help = ("Create a pool user: FORCE_CHANGE_PASSWORD with an invitation, or CONFIRMED "
            "with --password P --permanent. Prints username, sub and status.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pool_id", help="User pool id, such as us-east-1_Ab12Cd34E.")
        parser.add_argument("username",
                            help="Username (the email or phone number in pools that sign in "
                                 "with those).")
        parser.add_argument("--password", help="Temporary password, or the permanent one "
                                               "with --permanent (default: a generated "
                                               "temporary password).")
        parser.add_argument("--permanent", action="store_true",
                            help="Make --password permanent: the user is CONFIRMED and no "
                                 "invitation is sent.")
        parser.add_argument("--attribute", action="append", default=[], dest="attributes",
                            metavar="NAME=VALUE",
                            help="A user attribute; repeat for several (custom:x=1, "
                                 "email_verified=true).")
        parser.add_argument("--email", help="Shorthand for --attribute email=E.")
        parser.add_argument(
            "--delivery-mediums", nargs="+", action="extend", choices=sorted(MEDIUMS),
            metavar="MEDIUM",
            help="Send the invitation by EMAIL and/or SMS (default: whichever of email and "
                 "phone_number the user has).")
        parser.add_argument("--suppress", action="store_true",
                            help="Send no invitation (MessageAction=SUPPRESS).")
        parser.add_argument("--json", action="store_true", help="Print the user as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        attributes = parse_attributes(options["attributes"])
        if options["email"] is not None:
            attributes["email"] = options["email"]
        pool = pools.get_pool(options["pool_id"])
        user = create_user(pool, options["username"], attributes=attributes,
                           password=options["password"], permanent=options["permanent"],
                           delivery_mediums=options["delivery_mediums"],
                           suppress=options["suppress"])
        if options["json"]:
            self.write_json({"Username": user.username, "Sub": str(user.sub),
                             "UserStatus": user.status, "Enabled": user.enabled})
        else:
            self.write_fields([("Username", user.username), ("Sub", user.sub),
                               ("Status", user.status)])
