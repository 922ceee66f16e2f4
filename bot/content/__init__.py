"""What a digest says and links to: TL;DRs, reasons, links, signed links, history, export."""
