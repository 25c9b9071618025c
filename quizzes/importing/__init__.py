"""Reading and writing card files (pure Python: text in, records out)."""
