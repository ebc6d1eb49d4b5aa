"""What a host project runs: system checks, management commands, migrations, example pages."""
