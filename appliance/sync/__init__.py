"""Branch → central sync, the branch's side: enrolment, the outbox of changed calls, the sender (APP-1)."""
