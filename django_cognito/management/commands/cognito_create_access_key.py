"""``manage.py cognito_create_access_key``: create a key that signs admin API calls (SigV4)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...services import access_keys, pools
from ..base import CognitoCommand


class Command(CognitoCommand):
    help = ("Create an access key for the administrative JSON API (boto3's "
            "aws_access_key_id / aws_secret_access_key). The secret is printed once; it is "
            "stored encrypted and cannot be shown again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool", dest="pools", action="append", default=[],
                            metavar="POOL_ID",
                            help="Limit the key to this pool (repeatable). Without it the key "
                                 "administers every pool and may create pools.")
        parser.add_argument("--description", default="", help="What the key is for.")
        parser.add_argument("--access-key-id", help="Use this id instead of a random one.")
        parser.add_argument("--secret-access-key",
                            help="Use this secret instead of a random one (at least 20 "
                                 "characters; prefer the generated one).")
        parser.add_argument("--json", action="store_true", help="Print the key as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        scoped = [pools.get_pool(pool_id) for pool_id in options["pools"]]
        key, secret = access_keys.create_access_key(
            description=options["description"], pools=scoped,
            access_key_id=options["access_key_id"], secret=options["secret_access_key"])
        if options["json"]:
            self.write_json({"AccessKeyId": key.access_key_id, "SecretAccessKey": secret,
                             "UserPoolIds": [p.pk for p in scoped]})
            return
        self.write_fields([("Access key id", key.access_key_id),
                           ("Secret access key", secret),
                           ("Pools", ", ".join(p.pk for p in scoped) or "all")])
