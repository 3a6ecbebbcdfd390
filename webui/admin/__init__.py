"""The pages that run the box: organisation directory, tariffs, users, schedules, outbox, alerts and capture setup."""
