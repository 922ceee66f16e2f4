"""Web pages `paperbot serve` answers beside Slack's routes: emailed feedback links and each
channel's read-only page."""
