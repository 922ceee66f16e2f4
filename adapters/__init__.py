"""Chat platform adapters: pure render + pure inbound parsing + a thin I/O shell each."""
