"""Shipped data, installed as the package `prompt_or_tune_data`: price tables (*.yaml), scenario
presets (scenarios/) and report templates (report_templates/). Read through core.files.data_path."""
