"""The JSON wire API and the published documents, through the test client or live HTTP."""
