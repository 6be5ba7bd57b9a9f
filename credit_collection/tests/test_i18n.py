import io
import os
import re
from collections import Counter

import polib
from babel.messages import extract

from odoo.exceptions import UserError
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools.translate import trans_export

from .common import CreditCommon, xlsx_sheet_names, xlsx_strings

I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|%%")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def placeholder_errors(entries):
    """Entries whose translation does not carry exactly the source's placeholders and tags: at run
    time Odoo would raise (or print a broken message) where the user needs the figures."""
    errors = []
    for entry in entries:
        if not entry.msgstr:
            continue
        if Counter(PLACEHOLDER.findall(entry.msgid)) != Counter(PLACEHOLDER.findall(entry.msgstr)):
            errors.append(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}")
        elif Counter(TAG.findall(entry.msgid)) != Counter(TAG.findall(entry.msgstr)):
            errors.append(f"tags differ: {entry.msgid!r} -> {entry.msgstr!r}")
    return errors


def zh_catalog():
    return polib.pofile(os.path.join(I18N, "zh_CN.po"))


@tagged("post_install", "-at_install")
class TestTranslationFiles(BaseCase):
    """The shipped zh_CN translation covers the current template, with intact placeholders."""

    def test_every_term_translated(self):
        template = polib.pofile(os.path.join(I18N, "credit_collection.pot"))
        translated = {e.msgid for e in zh_catalog() if e.msgstr and "fuzzy" not in e.flags}
        missing = [e.msgid for e in template if e.msgid not in translated]
        self.assertFalse(missing, f"{len(missing)} terms without a Chinese translation, e.g. {missing[:5]}")

    def test_placeholders_intact(self):
        self.assertEqual(placeholder_errors(zh_catalog()), [])

    def test_every_python_file_extracts(self):
        """Odoo's export reads code terms with Babel, which evaluates each string argument of `_()`:
        an f-string there (even as a placeholder's value) stops the file's extraction at that call,
        and the terms after it silently leave the template, then the translation."""
        addon = os.path.dirname(I18N)
        for root, _dirs, files in os.walk(addon):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(root, name), "rb") as fileobj:
                        try:
                            list(extract.extract("python", fileobj, keywords={"_": None, "_lt": None}))
                        except Exception as error:  # any failure loses the terms after it
                            self.fail(f"{os.path.relpath(fileobj.name, addon)}: terms not extractable ({error!r})")

    def test_a_renamed_or_missing_placeholder_is_caught(self):
        entries = [
            polib.POEntry(msgid="limit %(limit)s; excess %(excess)s", msgstr="额度 %(limite)s；超额 %(excess)s"),
            polib.POEntry(msgid="%(order)s refused", msgstr="订单被拒绝"),
            polib.POEntry(msgid="<p>Dear %(name)s</p>", msgstr="尊敬的 %(name)s"),
        ]
        self.assertEqual(len(placeholder_errors(entries)), 3)


@tagged("post_install", "-at_install")
class TestTemplateIsCurrent(TransactionCase):
    """The terms Odoo finds in the installed addon now (code, fields, selections, views, menus) are
    all in the shipped zh_CN.po: a new string without its translation fails here, before users see
    English in the middle of Chinese screens. (Data records, shipped and demo, are checked through the
    exported template by test_every_term_translated.)"""

    def test_installed_terms_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        buffer = io.BytesIO()
        trans_export("zh_CN", ["credit_collection"], buffer, "po", self.env.cr)
        current = polib.pofile(buffer.getvalue().decode())
        structural = ("ir.model.fields", "ir.ui.view", "ir.ui.menu", "ir.model,", "ir.actions")
        shipped = {e.msgid for e in zh_catalog() if e.msgstr}
        missing = sorted(
            {
                e.msgid
                for e in current
                if e.msgid not in shipped
                and any(
                    o[0].startswith(("code:", *(f"model:{m}" for m in structural), "model_terms:ir.ui.view"))
                    or o[0].startswith("selection:")
                    for o in e.occurrences
                )
            }
        )
        self.assertFalse(missing, f"run `make pot` and translate: {missing[:10]}")


@tagged("post_install", "-at_install")
class TestChineseInUse(CreditCommon):
    """Chinese users read the addon in their words: messages, labels, exports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["credit_collection"], ["zh_CN"], overwrite=True)
        cls.zh = {e.msgid: e.msgstr for e in zh_catalog()}

    def _fixed_part(self, msgid):
        """The translation's text before its first placeholder (what any rendering must contain)."""
        return PLACEHOLDER.split(self.zh[msgid])[0].strip()

    def test_refusal_message_in_chinese(self):
        self.customer.credit_limit = 100.0
        order = self._order(500.0)
        with self.assertRaises(UserError) as err:
            order.with_context(lang="zh_CN").action_confirm()
        msg = str(err.exception)
        self.assertIn(
            self._fixed_part(
                "Credit limit exceeded: limit %(limit)s; exposure %(exposure)s (open receivables "
                "%(receivable)s, draft invoices %(draft)s, orders not invoiced %(orders)s); "
                "this order %(order)s; excess %(excess)s."
            ),
            msg,
        )
        self.assertIn("信用额度", msg)
        self.assertIn("450.00", msg, "the figures are still there: 550.00 - 100.00")

    def test_labels_in_chinese(self):
        fields = self.env["res.partner"].with_context(lang="zh_CN").fields_get(["credit_hold", "credit_exposure"])
        self.assertEqual(fields["credit_hold"]["string"], self.zh["Credit Hold"])
        self.assertEqual(fields["credit_exposure"]["string"], self.zh["Credit Exposure"])
        self.assertNotEqual(fields["credit_hold"]["string"], "Credit Hold")

    def test_aging_xlsx_in_chinese(self):
        self._invoice(1000.0, invoice_date=self.days_ago(45), due_date=self.days_ago(15))
        env = self.env(context=dict(self.env.context, lang="zh_CN"))
        wizard = env["credit.aging.wizard"].create(
            {"bucket_set_id": self.env.ref("credit_collection.aging_bucket_set_days").id, "groupby": "partner_id"}
        )
        content = env["credit.aging.xlsx"]._generate(wizard)
        strings = xlsx_strings(content)
        workbook = "\n".join(xlsx_sheet_names(content))
        self.assertIn(self.zh["Total"], strings)
        self.assertIn(self.zh["Summary"], workbook, "sheet names are translated too")
        self.assertIn(self._fixed_part("Aging at %(date)s"), strings)
