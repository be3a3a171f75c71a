from dashboard.decision_view import render
from dashboard.guard import run_page

run_page(render)
