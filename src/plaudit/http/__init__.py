"""The JSON API surface: problem responses, request dependencies, body limits."""
