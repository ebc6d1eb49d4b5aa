"""One signal per Cognito trigger, sent with a Lambda-shaped ``event`` (reference §4).

Receivers are called as ``receiver(sender, event, pool, client, **kwargs)`` where ``sender``
is :class:`~django_cognito.models.UserPool`. A receiver fills ``event["response"]`` or raises
(:class:`~django_cognito.exceptions.TriggerRejected` or any exception) to deny the operation,
which the caller sees as ``UserLambdaValidationException``. ``event["userPoolId"]`` and
``event["callerContext"]["clientId"]`` tell which pool and client fired it.
"""

from __future__ import annotations

from django.dispatch import Signal

pre_sign_up = Signal()
post_confirmation = Signal()
custom_message = Signal()
pre_authentication = Signal()
post_authentication = Signal()
define_auth_challenge = Signal()
create_auth_challenge = Signal()
verify_auth_challenge_response = Signal()
pre_token_generation = Signal()
user_migration = Signal()
custom_email_sender = Signal()
custom_sms_sender = Signal()

#: Name used in ``LambdaConfig`` and in error messages, per signal.
TRIGGER_NAMES: dict[Signal, str] = {
    pre_sign_up: "PreSignUp",
    post_confirmation: "PostConfirmation",
    custom_message: "CustomMessage",
    pre_authentication: "PreAuthentication",
    post_authentication: "PostAuthentication",
    define_auth_challenge: "DefineAuthChallenge",
    create_auth_challenge: "CreateAuthChallenge",
    verify_auth_challenge_response: "VerifyAuthChallengeResponse",
    pre_token_generation: "PreTokenGeneration",
    user_migration: "UserMigration",
    custom_email_sender: "CustomEmailSender",
    custom_sms_sender: "CustomSMSSender",
}
