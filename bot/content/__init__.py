"""What a digest and a channel's page say: TL;DRs, reasons, links, history, signed links."""
