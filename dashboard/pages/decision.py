from dashboard.guard import run_page

run_page("dashboard.decision_view")
