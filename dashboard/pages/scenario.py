from dashboard.guard import run_page

run_page("dashboard.scenario_view")
