"""Customer billing (RAT-11, REP-9): customers and the calls that are theirs, prepaid and postpaid accounts,
invoices and credit notes at the sell side's prices (appliance/pricing/)."""
