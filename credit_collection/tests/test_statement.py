from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .aging_common import AgingCommon


@tagged("post_install", "-at_install")
class TestStatement(AgingCommon):
    """Acme: 1 000 invoiced 15 May (due 14 June), 500 invoiced 10 June (due 10 July), 300 paid on
    20 June. June statement: opening 1 000, +500, -300, closing 1 200; open items 700 + 500."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.may = cls._inv(1000.0, date(2024, 5, 15), date(2024, 6, 14))
        cls.june = cls._inv(500.0, date(2024, 6, 10), date(2024, 7, 10))
        cls._pay(cls.may, 300.0, date(2024, 6, 20))
        cls._pay(cls.june, 100.0, date(2024, 7, 5))  # after the period: not on the June statement
        cls.wizard_vals = {"date_from": date(2024, 6, 1), "date_to": date(2024, 6, 30)}

    def test_statement_figures(self):
        report = self.env["report.credit_collection.report_credit_statement"].with_user(self.collector)
        st = report._statement(self.contact, self.company, date(2024, 6, 1), date(2024, 6, 30))
        self.assertEqual(st["partner"], self.customer, "statement of the commercial entity")
        self.assertEqual(st["opening"], 1000.0)
        self.assertEqual([(m["debit"], m["credit"]) for m in st["movements"]], [(500.0, 0.0), (0.0, 300.0)])
        self.assertEqual(st["closing"], 1200.0)
        self.assertEqual(st["open_total"], st["closing"], "closing balance = open items (tie-out)")
        self.assertEqual(sorted(i["residual"] for i in st["items"]), [500.0, 700.0])
        self.assertEqual(sum(st["aging"].values()), 1200.0)

    def test_contact_items_on_the_customer_statement(self):
        """Items booked on a contact of the customer are the customer's (commercial entity)."""
        inv = self._inv(250.0, date(2024, 6, 12), date(2024, 7, 12), partner=self.contact)
        report = self.env["report.credit_collection.report_credit_statement"].with_user(self.collector)
        st = report._statement(self.customer, self.company, date(2024, 6, 1), date(2024, 6, 30))
        self.assertIn(inv.id, [i["move_id"] for i in st["items"]])
        self.assertEqual(st["open_total"], 1450.0)
        self.assertEqual(st["closing"], 1450.0)

    def test_print_and_send(self):
        wizard = self.env["credit.statement.wizard"].with_user(self.collector).create(self.wizard_vals)
        self.assertEqual(wizard._partners(), self.customer, "only customers with an open balance")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "credit_collection.report_credit_statement", self.customer.ids, data=wizard._data()
        )[0]
        self.assertIn(b"1,200.00", html)
        wizard.action_send()
        message = self.customer.message_ids[:1]
        self.assertIn("statement", message.subject or "")
        self.assertEqual(message.attachment_ids.mimetype, "application/pdf")
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(message.author_id, self.collector.partner_id, "sent in the collector's name")

    def _render_as_web_client(self, action, user):
        """What the web client does with a report action (web/static/src/webclient/actions/reports/
        utils.js + web/controllers/report.py): with data, /report/pdf/<name>?options=<data> and no ids;
        without, /report/pdf/<name>/<active_ids>."""
        self.assertEqual(action["type"], "ir.actions.report")
        context = dict(action.get("context") or {})
        report = self.env["ir.actions.report"].with_user(user).with_context(**context)
        if action.get("data"):
            data = dict(action["data"], context=context)
            return report._render_qweb_pdf(action["report_name"], None, data=data)[0]
        return report._render_qweb_pdf(action["report_name"], context.get("active_ids"))[0]

    def test_print_action_renders_every_customer(self):
        """Print from the wizard: the PDF the web client gets holds one statement per customer, for one
        customer and for several (it was blank: the ids were not in the URL)."""
        self._inv(400.0, date(2024, 6, 5), date(2024, 7, 5), partner=self.beta)
        wizard = self.env["credit.statement.wizard"].with_user(self.collector)
        one = wizard.create(dict(self.wizard_vals, partner_ids=[(6, 0, self.customer.ids)]))
        html = self._render_as_web_client(one.action_print(), self.collector)
        self.assertEqual(html.count(b"1,200.00") > 0, True, "Acme's closing balance on the statement")
        self.assertNotIn(b"Beta Ltd", html)
        many = wizard.create(self.wizard_vals)  # empty list: every customer with an open balance
        html = self._render_as_web_client(many.action_print(), self.collector)
        self.assertIn(b"Acme", html)
        self.assertIn(b"Beta Ltd", html)
        self.assertIn(b"400.00", html)
        self.assertEqual(html.count(b"Closing balance"), 2, "one statement per customer")

    def test_send_many_each_gets_its_own(self):
        self.beta.email = "beta@example.com"
        self.customer.email = self.customer.email or "acme@example.com"
        self._inv(400.0, date(2024, 6, 5), date(2024, 7, 5), partner=self.beta)
        wizard = self.env["credit.statement.wizard"].with_user(self.collector).create(self.wizard_vals)
        wizard.action_send()
        for partner in self.customer | self.beta:
            message = partner.message_ids.filtered(lambda m: m.attachment_ids)[:1]
            self.assertEqual(len(message.attachment_ids), 1, partner.name)
            self.assertIn(str(partner.id), message.attachment_ids.name)

    def test_statement_in_the_customer_currency(self):
        """A customer invoiced in EUR (rate 2.0): its statement reads EUR, the company-currency balance
        beside. EUR 1 000 in May, June +400, an unapplied EUR 300 payment: closing EUR 1 100 = 550.00."""
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        gamma = self.env["res.partner"].create({"name": "Gamma GmbH", "is_company": True})
        self._inv(1000.0, date(2024, 5, 10), date(2024, 6, 9), partner=gamma, currency=eur)
        self._inv(400.0, date(2024, 6, 10), date(2024, 7, 10), partner=gamma, currency=eur)
        self._payment(300.0, date(2024, 6, 20), partner=gamma, currency=eur)
        report = self.env["report.credit_collection.report_credit_statement"].with_user(self.collector)
        st = report._statement(gamma, self.company, date(2024, 6, 1), date(2024, 6, 30))
        self.assertEqual((st["currency"], st["foreign"]), (eur, True))
        self.assertEqual((st["opening"], st["opening_company"]), (1000.0, 500.0))
        self.assertEqual([(m["debit"], m["credit"]) for m in st["movements"]], [(400.0, 0.0), (0.0, 300.0)])
        self.assertEqual((st["closing"], st["closing_company"]), (1100.0, 550.0))
        self.assertEqual((st["open_total"], st["open_total_company"]), (1100.0, 550.0))
        self.assertEqual(sum(st["aging"].values()), 1100.0)
        # Acme, all in company currency, keeps it
        self.assertFalse(report._statement(self.customer, self.company, date(2024, 6, 1), date(2024, 6, 30))["foreign"])
        wizard = self.env["credit.statement.wizard"].with_user(self.collector)
        action = wizard.create(dict(self.wizard_vals, partner_ids=[(6, 0, gamma.ids)])).action_print()
        html = self._render_as_web_client(action, self.collector)
        self.assertIn(b"Balance in", html)
        self.assertIn(b"1,100.00", html)
        self.assertIn(b"550.00", html)

    def test_send_refused_without_email(self):
        self.beta.email = False
        self._inv(100.0, date(2024, 6, 5), partner=self.beta)
        wizard = self.env["credit.statement.wizard"].with_user(self.collector).create(self.wizard_vals)
        with self.assertRaisesRegex(UserError, "Beta Ltd"):
            wizard.action_send()
        self.assertFalse(self.customer.message_ids.filtered(lambda m: m.attachment_ids))
