"""Constants the report tests share."""

HOSTILE = "<script>alert(1)</script>"  # a scenario name that must show as text
DRAWS = 2_000
