"""OAuth 2.0 and OpenID Connect in Cognito's terms (reference §5): scopes, authorization
codes, the grants' tokens, userInfo and the managed login's sessions. Protocol parsing lives
in the front end (``django_cognito.hosted``); the rules live here."""
