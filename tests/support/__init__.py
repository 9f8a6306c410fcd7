"""Helpers of the test suite, imported one way: `from tests.support.<module> import ...`
or `from tests.support import <module>`. The modules that define shared fixtures are
registered once by `pytest_plugins` in tests/conftest.py; test modules request those
fixtures by name and never import them."""
