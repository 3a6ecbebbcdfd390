"""Field and test tools: the virtual PBX, fixture recording."""
