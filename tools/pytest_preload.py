"""pytest plugin for the addons' tests (tools/test.sh, tools/dev.sh load it with -p pytest_preload)."""

import logging

import pytest


class _RunnerImportsTestFramework(logging.Filter):
    """pytest-odoo (the test runner, not a business module) imports odoo.tests before Odoo is in test
    mode, so Odoo logs "Importing test framework, avoid importing from business modules and when not
    running in test mode" as an error at start-up. Only that record is dropped: every other record of
    odoo.tests.common (a tour's browser errors included) is shown."""

    def filter(self, record):
        return not str(record.msg).startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_RunnerImportsTestFramework())


@pytest.fixture(scope="session", autouse=True)
def _manifests_parsed_in_main_thread():
    """Parse every module's manifest once, in the main thread, before the tours' HTTP threads serve.

    Odoo parses a manifest (ast.literal_eval) lazily, in whichever thread asks first: during a tour,
    several server threads at once. CPython 3.11.7 and 3.12.1 raise "AST constructor recursion depth
    mismatch" when two threads build an AST concurrently (python/cpython#106905); with the cache
    filled here, no server thread parses a manifest.
    """
    from odoo.modules.module import get_manifest, get_modules

    for module in get_modules():
        get_manifest(module)
    yield
