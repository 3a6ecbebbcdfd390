"""Sell prices (RAT-10, SHOP-3): price lists per destination prefix, markups, exchange rates, the sell price of a
call. The buy side (the operator's tariff, appliance/rating/) is apart: neither imports the other."""
