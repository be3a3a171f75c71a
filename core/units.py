"""Units the cost model converts with, defined once."""

MTOK = 1_000_000  # prices are per million tokens
HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12: a GPU kept running all month
