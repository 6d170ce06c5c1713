"""Streaming intake: record messages from NATS JetStream, applied exactly once."""
