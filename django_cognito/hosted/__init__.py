"""Managed login and the OAuth 2.0 / OpenID Connect endpoints of a pool's domain (reference
§5): a front end over the sign-in engine and ``services.oauth``, with Authlib speaking the
protocol."""
