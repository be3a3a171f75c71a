from dashboard.guard import run_page
from dashboard.tokens_view import render

run_page(render)
