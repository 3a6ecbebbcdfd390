"""Rating: numbering plans, tariffs, and the price of one call (pure functions over tariff tables)."""
