"""Identity pools (cognito-identity): ``pools`` holds the pool configuration operations."""
