"""What operators watch: readiness, Prometheus metrics, request ids and JSON log lines."""
