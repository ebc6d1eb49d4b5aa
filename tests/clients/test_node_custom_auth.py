"""amazon-cognito-identity-js's custom authentication against the live server: the example
project's passwordless sign-in by a one-time code sent by SMS (issue 4's seed use case).

Like ``test_node_clients``, it runs ``node tests/node/custom-auth.mjs`` with its configuration
in the environment. The script stops at the first challenge; the test reads the code from the
development SMS outbox (the live server runs in this process) and writes it to the script's
stdin. Node and ``tests/node/node_modules`` are required: without them the test fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from django_cognito.models import PoolUser, RefreshToken, UserPool  # noqa: E402
from django_cognito.services import delivery  # noqa: E402
from example_project import passwordless  # noqa: E402, F401  (connects the receivers)
from tests.factories import create_user  # noqa: E402
from tests.live_api import verify_with_pyjwt  # noqa: E402
from tests.node_scripts import NODE_DIR, NODE_TIMEOUT, node  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

PHONE = "+15555550123"


def run_custom_auth(env: dict[str, str]) -> tuple[dict[str, Any], str]:
    """Run the script, answer its challenge with the SMS code; its RESULT and the code."""
    process = subprocess.Popen(  # noqa: S603 (a fixed script with our own arguments)
        [node(), str(NODE_DIR / "custom-auth.mjs")], cwd=NODE_DIR, env={**os.environ, **env},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdin and process.stdout
    code = ""
    try:
        seen: list[str] = []
        for line in process.stdout:
            seen.append(line)
            if line.startswith(("CHALLENGE ", "RESULT ")):
                break
        assert seen and seen[-1].startswith("CHALLENGE "), "".join(seen)
        [message] = delivery.outbox
        assert message["phone_number"] == PHONE
        code = message["message"].removeprefix("Your sign-in code is ").removesuffix(".")
        stdout, stderr = process.communicate(code + "\n", timeout=NODE_TIMEOUT)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    output = "".join(seen) + stdout
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    assert lines, f"custom-auth.mjs printed no result (exit {process.returncode})\n" \
                  f"stdout:\n{output}\nstderr:\n{stderr}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["ok"], f"custom-auth.mjs failed: {result}\nstderr:\n{stderr}"
    assert process.returncode == 0, stderr
    result["firstLine"] = json.loads(seen[-1].removeprefix("CHALLENGE "))
    return result, code


def test_identity_js_signs_in_with_the_example_sms_code(idp: Any, api_url: str, pool: UserPool,
                                                        make_client: Any, settings: Any) -> None:
    settings.COGNITO_DEMO = {"PASSWORDLESS_POOL": pool.id}
    app = make_client(pool, explicit_auth_flows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    user = create_user(pool, attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    result, code = run_custom_auth({"ENDPOINT": api_url, "POOL_ID": pool.id,
                                    "CLIENT_ID": app.id, "USERNAME": "alice",
                                    "AWS_REGION": "us-east-1", "NODE_NO_WARNINGS": "1"})
    expected = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "USERNAME": "alice"}
    assert result["firstChallenge"] == result["firstLine"] == {**expected, "ATTEMPTS_LEFT": "3"}
    # The wrong code got the challenge again, with the same code still valid.
    assert result["retryChallenge"] == {**expected, "ATTEMPTS_LEFT": "2"}
    assert result["retryError"] is None
    session = result["session"]
    assert session["valid"] is True
    access = verify_with_pyjwt(api_url, pool, app, session["accessToken"], "access")
    assert (access["username"], access["sub"]) == ("alice", str(user.sub))
    claims = verify_with_pyjwt(api_url, pool, app, session["idToken"], "id")
    assert claims["phone_number"] == PHONE
    assert result["currentUser"] == "alice"
    assert RefreshToken.objects.filter(user=user).count() == 1
    # The second flow: a new code was texted, and the third wrong answer ended it.
    assert [m["purpose"] for m in delivery.outbox] == ["CustomAuth_SignIn"] * 2
    assert delivery.outbox[0]["message"] == f"Your sign-in code is {code}."
    wrong = result["wrongThrice"]
    assert wrong[:3] == ["challenge"] * 3
    assert (wrong[3]["name"], wrong[3]["message"]) == ("NotAuthorizedException",
                                                       "Incorrect username or password.")
    assert PoolUser.objects.get(pk=user.pk).enabled
