"""Email as a chat platform: a channel `email:ADDRESS` gets each digest as one email."""
