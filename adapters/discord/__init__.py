"""Discord adapter: digests as embeds, `/papers` app commands, raw reactions as feedback."""
