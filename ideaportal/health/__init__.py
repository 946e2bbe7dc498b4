"""Health checks: /healthz and /readyz."""
