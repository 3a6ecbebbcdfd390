"""Customer messages and call notes (APP-5, issue 16): notes per call and customer, notification rules that queue
SMS and e-mail through the outbox, SMS units and the accounting report."""
