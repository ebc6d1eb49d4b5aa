"""The sign-in engine, shared by every front end.

``pipeline`` holds the tables (flows, the ordered steps after a proven factor, challenge
handlers) and drives a sign-in; ``results`` the object carried through the steps and what
they return; one module per flow (``password``, ``user_srp``, ``refresh``, ``custom``,
``choice``) and per later step (``account``, ``device``, ``mfa``, ``codes``); ``srp`` is the
SRP seam, ``challenges`` the server-side challenge store, ``sessions`` the Session strings
and ``once`` the spend-once helper. See docs/architecture.md.
"""

from .pipeline import (
    hosted_initiate,
    hosted_sign_in,
    hosted_sign_in_after_confirmation,
    initiate_auth,
    require_flow,
    respond_to_auth_challenge,
    sign_in_password,
)
from .results import AuthResult, SignIn

__all__ = ["AuthResult", "SignIn", "hosted_initiate", "hosted_sign_in",
           "hosted_sign_in_after_confirmation", "initiate_auth", "require_flow",
           "respond_to_auth_challenge", "sign_in_password"]
