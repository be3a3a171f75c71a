from dashboard.guard import run_page

run_page("dashboard.benchmark_view")
