"""The callshop (SHOP-1, SHOP-2): booths, the cashier's sessions, paying booth calls at the sell price."""
