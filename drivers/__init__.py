"""PBX drivers: one module per family; the file name is the config key."""
