import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from odoo.tests import BaseCase, tagged

ADDON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(ADDON_DIR)
PIP_INSTALL = (sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation")


@tagged("post_install", "-at_install")
class TestPackaging(BaseCase):
    """`pip install .` ships the stock bridge beside credit_collection."""

    def test_pip_install_ships_both_addons(self):
        if not os.path.exists(os.path.join(REPO_DIR, "setup.py")):
            raise unittest.SkipTest("running from an installed copy: no setup.py beside the addons")
        with tempfile.TemporaryDirectory() as tmp:
            src, target = os.path.join(tmp, "src"), os.path.join(tmp, "site")
            os.makedirs(src)
            shutil.copy(os.path.join(REPO_DIR, "setup.py"), src)
            for addon in ("credit_collection", "credit_collection_stock"):
                shutil.copytree(
                    os.path.join(REPO_DIR, addon),
                    os.path.join(src, addon),
                    ignore=shutil.ignore_patterns("__pycache__"),
                )
            subprocess.run(
                [*PIP_INSTALL, "--target", target, src],
                check=True,
                capture_output=True,
            )
            addons = os.path.join(target, "odoo", "addons")
            for path in (
                ("credit_collection", "__manifest__.py"),
                ("credit_collection_stock", "__manifest__.py"),
                ("credit_collection_stock", "views", "stock_picking_views.xml"),
                ("credit_collection_stock", "demo", "credit_collection_stock_demo.xml"),
            ):
                self.assertTrue(os.path.isfile(os.path.join(addons, *path)), os.path.join(*path))
