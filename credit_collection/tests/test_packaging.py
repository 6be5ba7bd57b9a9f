import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from odoo.tests import BaseCase, tagged

ADDON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(ADDON_DIR)


@tagged("post_install", "-at_install")
class TestPackaging(BaseCase):
    """`pip install .` makes odoo.addons.credit_collection importable, found by Odoo without
    touching its addons path."""

    def test_pip_install_makes_the_addon_importable(self):
        if not os.path.exists(os.path.join(REPO_DIR, "setup.py")):
            raise unittest.SkipTest("running from an installed copy: no setup.py beside the addon")
        with tempfile.TemporaryDirectory() as tmp:
            src, target = os.path.join(tmp, "src"), os.path.join(tmp, "site")
            os.makedirs(src)
            shutil.copy(os.path.join(REPO_DIR, "setup.py"), src)
            shutil.copytree(
                ADDON_DIR, os.path.join(src, "credit_collection"), ignore=shutil.ignore_patterns("__pycache__")
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--no-deps",
                    "--no-build-isolation",
                    "--target",
                    target,
                    src,
                ],
                check=True,
                capture_output=True,
            )
            self.assertTrue(
                os.path.isfile(os.path.join(target, "odoo", "addons", "credit_collection", "__manifest__.py"))
            )
            self.assertTrue(
                os.path.isfile(
                    os.path.join(target, "odoo", "addons", "credit_collection", "security", "ir.model.access.csv")
                )
            )
            self.assertFalse(os.path.exists(os.path.join(target, "odoo", "__init__.py")), "must not shadow Odoo itself")
            # A fresh interpreter with the target on sys.path: Odoo's namespace finds the addon.
            probe = (
                "import sys; sys.path.insert(0, sys.argv[1]);"
                "import odoo.addons.credit_collection as m, odoo.modules.module as mm;"
                "print(m.__file__); print(mm.get_module_path('credit_collection'))"
            )
            out = subprocess.run(
                [sys.executable, "-c", probe, target], check=True, capture_output=True, text=True
            ).stdout
            self.assertIn(os.path.join(target, "odoo", "addons", "credit_collection"), out)
