"""Notifications: a trigger (a record arriving, a formula crossing a threshold, an award given,
a level reached) and an action (give an achievement, call a webhook, post to Slack or Teams,
send an email), fired inside the transaction that caused them; messages leave through an
outbox and a background worker. The entry points (`app.create_app`, `cli.main`) install the
listener that fires award and level triggers before a session commits (`events.install`)."""
