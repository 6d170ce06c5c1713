"""Records: activity data flowing in, idempotently, through the rule engine."""
