"""Output formats of the report: `json` (the machine contract) and `text` (for people)."""
