"""Optional integrations; each subpackage imports its third-party framework, the core never does."""
