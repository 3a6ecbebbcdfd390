"""Billing: usage per subscriber, bills, allowances, line charges and billed periods."""
