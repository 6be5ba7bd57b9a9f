"""What a Chinese customer or accountant reads: the statement, the reminder email and the aging
XLSX rendered in zh_CN carry no English word except names, numbers and codes; the shipped aging
buckets read in Chinese; the statement's columns are 借方 / 贷方."""

import html
import re
from datetime import date, timedelta

from odoo.tests import tagged

from .aging_common import AgingCommon
from .collection_common import CollectionCommon, D
from .common import xlsx_sheet_names, xlsx_strings

# An ASCII word: two letters or more (a lone letter is a mark or a unit, never a sentence).
WORD = re.compile(r"[A-Za-z]{2,}")
# Codes: document numbers (INV/2024/00001), currency codes, emails, URLs.
CODE = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z]{2,}/[\w/-]+|\b[A-Z]{3}\b")


def load_chinese(env):
    """zh_CN active with the terms of the addon and of the Odoo modules its documents call
    (layouts, mail), as a Chinese user's database has them."""
    env["res.lang"]._activate_lang("zh_CN")
    env["ir.module.module"]._load_module_terms(["base", "web", "mail", "credit_collection"], ["zh_CN"], overwrite=True)


def english_words(text, names=()):
    """The ASCII words of `text` once tags, the given names (customers, companies, users,
    addresses) and codes are taken out."""
    text = re.sub(r"<head.*?</head>|<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, " ")
    text = CODE.sub(" ", text)
    return sorted(set(WORD.findall(text)))


def party_names(*partners):
    """What a layout prints of a partner: names and address parts (user data, kept as typed)."""
    names = []
    for partner in partners:
        names += [partner.name, partner.street, partner.street2, partner.city, partner.zip, partner.email]
        names += [partner.website, partner.phone, partner.vat, partner.country_id.name, partner.state_id.name]
        names += [partner.country_id.code, partner.state_id.code]
    return names


@tagged("post_install", "-at_install")
class TestChineseStatement(AgingCommon):
    """Acme (Chinese-speaking): 1 000 invoiced 15 May, 500 invoiced 10 June, 300 paid 20 June."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env)
        cls.customer.lang = "zh_CN"
        cls.may = cls._inv(1000.0, date(2024, 5, 15), date(2024, 6, 14))
        cls.june = cls._inv(500.0, date(2024, 6, 10), date(2024, 7, 10))
        cls._pay(cls.may, 300.0, date(2024, 6, 20))

    def _html(self, bucket_set):
        wizard = (
            self.env["credit.statement.wizard"]
            .with_user(self.collector)
            .create({"date_from": date(2024, 6, 1), "date_to": date(2024, 6, 30), "bucket_set_id": bucket_set.id})
        )
        return (
            self.env["ir.actions.report"]
            .with_user(self.collector)
            ._render_qweb_html("credit_collection.report_credit_statement", self.customer.ids, data=wizard._data())[0]
            .decode()
        )

    def test_statement_columns_debit_credit(self):
        """The credit column of a customer statement is 贷方 (accounting), never 信用 (creditworthiness)."""
        page = self._html(self.days_set)
        self.assertIn("借方", page)
        self.assertIn("贷方", page)
        self.assertNotIn(">信用<", page)
        self.assertIn("对账单", page)
        self.assertIn("期初余额", page)
        self.assertIn("1,200.00", page, "the closing balance is still there")

    def test_statement_has_no_english_word(self):
        for bucket_set in (self.days_set, self.years_set):
            page = self._html(bucket_set)
            moves = self.may | self.june | self.env["account.move"].search([("partner_id", "=", self.customer.id)])
            names = party_names(self.customer, self.company.partner_id)
            names += moves.mapped("name") + [r for r in moves.mapped("ref") if r]
            names += [self.company.name, self.company.currency_id.symbol, self.company.report_header or ""]
            self.assertEqual(english_words(page, names), [], f"English left on the {bucket_set.name} statement")

    def test_english_customer_gets_english_statement(self):
        """Customer-facing: the statement follows the customer's language, not the printer's."""
        self.customer.lang = "en_US"
        page = self._html(self.days_set)
        self.assertIn("Statement of account", page)
        self.assertNotIn("贷方", page)

    def test_shipped_buckets_in_chinese(self):
        names = self.years_set.with_context(lang="zh_CN").bucket_ids.sorted("sequence").mapped("name")
        self.assertEqual(names, ["≤ 1 年", "1–2 年", "2–3 年", "3–4 年", "4–5 年", "> 5 年"])
        days = self.days_set.with_context(lang="zh_CN").bucket_ids.sorted("sequence").mapped("name")
        self.assertEqual(days[0], "未到期")
        self.assertEqual(days[-1], "> 365 天")
        self.assertEqual(self.years_set.with_context(lang="zh_CN").name, "账龄（按年）")
        # English users keep the English names; a user's own bucket keeps what was typed
        self.assertEqual(self.years_set.with_context(lang="en_US").bucket_ids[:1].name, "≤ 1 year")

    def test_aging_xlsx_has_no_english_word(self):
        env = self.env(user=self.collector, context=dict(self.env.context, lang="zh_CN"))
        self.customer.user_id = self.collector
        for bucket_set in (self.days_set, self.years_set):
            wizard = env["credit.aging.wizard"].create(
                {"bucket_set_id": bucket_set.id, "groupby": "partner_id", "date": date(2024, 6, 30)}
            )
            content = env["credit.aging.xlsx"]._generate(wizard)
            text = xlsx_strings(content) + "\n" + "\n".join(xlsx_sheet_names(content))
            names = [*party_names(self.customer, self.beta), self.collector.name]
            moves = self.env["account.move"].search([("partner_id", "in", (self.customer | self.beta).ids)])
            names += moves.mapped("name") + moves.invoice_user_id.mapped("name")
            self.assertEqual(english_words(text, names), [], f"English left in the {bucket_set.name} XLSX")


@tagged("post_install", "-at_install")
class TestChineseReminder(CollectionCommon):
    """The run's reminder to a Chinese-speaking customer reads as a Chinese business letter: the
    stage's name and opening paragraph in the customer's language, not the run's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env)
        cls.customer.lang = "zh_CN"
        cls.stages["Reminder"].write({"email_intro": "The invoices below are overdue."})
        cls.stages["Reminder"].with_context(lang="zh_CN").write(
            {"name": "逾期提醒", "email_intro": "贵司以下发票已逾期，请尽快安排付款。"}
        )

    def test_reminder_email_in_chinese(self):
        invoice = self._due_invoice(100.0)
        self._run(D + timedelta(days=2))
        message = self.customer.message_ids.filtered(lambda m: m.subject and invoice.name in m.body)[:1]
        self.assertTrue(message, "the reminder was posted on the customer")
        self.assertIn("逾期提醒", message.subject)
        self.assertIn("尊敬的", message.body)
        self.assertIn("贵司以下发票已逾期", message.body)
        self.assertIn("100.00", message.body, "the open amount of the invoice")
        names = [*party_names(self.customer), self.company.name, invoice.name, self.company.currency_id.symbol]
        self.assertEqual(english_words(message.subject + " " + message.body, names), [])
