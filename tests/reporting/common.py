"""Constants the report tests share."""

HOSTILE = "<script>alert(1)</script>"  # a scenario name that must show as text
DRAWS = 2_000
UPLOADED = "tickets.csv"  # the file name of the fake run's uploaded task (stored under the runs folder)
