"""Notifications: a trigger (a record arriving, or a formula crossing a threshold) and an action
(give an achievement, call a webhook), fired inside the transaction of the records that caused
them; webhooks leave through an outbox and a background worker."""
