"""Reports: the breakdown engine, its dimensions, ranges and roll-ups, traffic reports and call search."""
