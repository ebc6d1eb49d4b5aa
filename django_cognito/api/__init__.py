"""The Cognito JSON 1.1 API (``POST <prefix>/`` routed on ``X-Amz-Target``)."""
