from dashboard.guard import run_page
from dashboard.scenario_view import render

run_page(render)
