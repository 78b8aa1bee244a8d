"""What a long-running ecsta service needs from its host: readiness for systemd, and metrics."""
