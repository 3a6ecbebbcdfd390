"""Reconciling an operator's itemised bill with the stored calls (RAT-9): invoice, maps, match, explain."""
