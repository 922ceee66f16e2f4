"""PaperBot's own web pages, served by `paperbot serve` beside Slack's endpoints."""
