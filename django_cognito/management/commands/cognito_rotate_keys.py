"""``manage.py cognito_rotate_keys [POOL_ID ...] [--purge]``: rotate pools' signing keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...models import UserPool
from ...services import pools
from ...services.identity import openid
from ...tokens import keys
from ..base import CognitoCommand


class Command(CognitoCommand):
    help = ("Rotate the token signing keys of the given pools (all pools when none is given): "
            "the published next keys start signing, the signing keys stay published until "
            "their tokens expire, and new next keys are published. Prints the new kids.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pool_ids", nargs="*", metavar="POOL_ID",
                            help="User pool ids, such as us-east-1_Ab12Cd34E.")
        parser.add_argument("--purge", action="store_true",
                            help="Also delete retired keys whose tokens have all expired.")
        parser.add_argument("--identity-pools", action="store_true",
                            help="Also rotate the key of the identity pools' OpenID tokens.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pool_ids"]:
            # Resolve every id first so a typo rotates nothing.
            targets = [pools.get_pool(pool_id) for pool_id in options["pool_ids"]]
        else:
            targets = list(UserPool.objects.all())
        if options["purge"]:
            self.stdout.write(f"Purged {keys.purge()} expired key(s).")
        if options["identity_pools"]:
            self.stdout.write(f"identity pools: signing {openid.rotate().kid}")
        for pool in targets:
            for purpose, (active, successor) in keys.rotate(pool).items():
                self.stdout.write(f"{pool.id} {purpose}: signing {active.kid} "
                                  f"next {successor.kid}")
