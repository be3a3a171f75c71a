"""Every test here is marked `tools`: the developer tools are not shipped, so their tests (minutes: the
speed harness against lm-evaluation-harness and TRL) run in `make test-tools`, not the default run."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/tools/" in item.nodeid:
            item.add_marker(pytest.mark.tools)
