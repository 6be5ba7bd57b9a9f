import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from odoo.tests import BaseCase, TransactionCase, tagged

from ..hooks import CORE_TABLE_INDEXES, uninstall_hook

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


class _Rollback(Exception):
    """Raised to undo what the uninstall hook did."""


@tagged("post_install", "-at_install")
class TestUninstallHook(TransactionCase):
    """Uninstalling drops the indexes the addon created on Odoo's own tables."""

    def _existing(self):
        self.env.cr.execute(
            "SELECT indexname, tablename FROM pg_indexes WHERE indexname IN %s", [tuple(CORE_TABLE_INDEXES)]
        )
        return dict(self.env.cr.fetchall())

    def test_every_index_on_a_core_table_is_listed(self):
        """Each index name the models create (an ``..._idx`` literal) is one the hook drops."""
        created = set()
        for folder in ("models", "report"):
            for name in os.listdir(os.path.join(ADDON_DIR, folder)):
                if name.endswith(".py"):
                    with open(os.path.join(ADDON_DIR, folder, name), encoding="utf-8") as f:
                        created |= set(re.findall(r"\b(\w+_idx)\b", f.read()))
        self.assertTrue(created)
        self.assertLessEqual(created, set(CORE_TABLE_INDEXES))

    def test_uninstall_hook_drops_the_core_table_indexes(self):
        self.assertEqual(self._existing(), CORE_TABLE_INDEXES, "created at install, on those tables")
        with contextlib.suppress(_Rollback), self.env.cr.savepoint():
            uninstall_hook(self.env)
            self.assertEqual(self._existing(), {})
            # the summary of open items: its triggers on account_move_line, function and table;
            # the exposure statement's function
            self.env.cr.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'credit_open_item_sum%%'"
                " UNION ALL SELECT proname FROM pg_proc"
                " WHERE proname IN ('credit_open_item_sum_track', 'credit_sale_order_invoiced')"
                " UNION ALL SELECT 'table' WHERE to_regclass('credit_open_item_sum') IS NOT NULL"
            )
            self.assertEqual(self.env.cr.fetchall(), [])
            raise _Rollback
        self.assertEqual(self._existing(), CORE_TABLE_INDEXES, "rolled back: the indexes are there again")
