"""AWS Cognito's feature set as a Django reusable app."""

__version__ = "0.1.0"
