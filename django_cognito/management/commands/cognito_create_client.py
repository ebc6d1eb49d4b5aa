"""``manage.py cognito_create_client POOL_ID NAME``: create an app client."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...services import pools
from ..base import CognitoCommand


class Command(CognitoCommand):
    help = ("Create an app client and print its id and, with --generate-secret, its secret "
            "(shown here and in the admin only).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pool_id", help="User pool id, such as us-east-1_Ab12Cd34E.")
        parser.add_argument("name", help="Client name (1 to 128 characters).")
        parser.add_argument("--generate-secret", action="store_true",
                            help="Give the client a secret (server-side apps only: browsers "
                                 "and mobile apps cannot keep it).")
        parser.add_argument(
            "--auth-flows", nargs="+", action="extend", choices=sorted(pools.AUTH_FLOWS),
            metavar="FLOW",
            help="ExplicitAuthFlows, such as ALLOW_USER_PASSWORD_AUTH ALLOW_USER_SRP_AUTH "
                 "ALLOW_REFRESH_TOKEN_AUTH (default: refresh, SRP and custom auth).")
        parser.add_argument("--prevent-user-existence-errors", action="store_true",
                            help="Answer unknown users like wrong passwords "
                                 "(PreventUserExistenceErrors=ENABLED).")
        parser.add_argument("--client-id", metavar="ID",
                            help="Keep this id (such as a client's id on AWS) instead of a "
                                 "new random one.")
        parser.add_argument("--json", action="store_true", help="Print the client as JSON.")
        parser.add_argument("--quiet", action="store_true",
                            help="Print the client id only (for CLIENT=$(...) in a shell).")

    def handle(self, *args: Any, **options: Any) -> None:
        pool = pools.get_pool(options["pool_id"])
        client = pools.create_user_pool_client(
            pool, options["name"], generate_secret=options["generate_secret"],
            explicit_auth_flows=options["auth_flows"],
            prevent_user_existence_errors="ENABLED" if options["prevent_user_existence_errors"]
            else "LEGACY", client_id=options["client_id"])
        if options["quiet"]:
            self.stdout.write(client.id)
            return
        if options["json"]:
            data: dict[str, Any] = {
                "UserPoolId": pool.id, "ClientName": client.name, "ClientId": client.id,
                "ExplicitAuthFlows": list(client.explicit_auth_flows),
                "PreventUserExistenceErrors": client.prevent_user_existence_errors,
            }
            if client.secret:
                data["ClientSecret"] = client.secret
            self.write_json(data)
            return
        fields: list[tuple[str, object]] = [("Client id", client.id)]
        if client.secret:
            fields.append(("Client secret", client.secret))
        self.write_fields(fields)
