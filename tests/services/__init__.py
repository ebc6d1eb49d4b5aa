"""The service functions (Cognito semantics without HTTP), called directly."""
