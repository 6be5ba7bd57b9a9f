import contextlib
import html
import io
import re
import zipfile
from datetime import date

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.sql_db import db_connect
from odoo.tests import new_test_user


class RealTransactions:
    """For tests of concurrency: data committed for real and several transactions of their own
    (REPEATABLE READ, as Odoo runs them), not the test's single rolled-back one."""

    def _cursor(self):
        return db_connect(self.env.cr.dbname).cursor()

    @contextlib.contextmanager
    def _committed_env(self):
        """A superuser environment on a cursor of its own, committed when the block ends: other
        connections then see what it wrote."""
        with self._cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})


def xlsx_strings(content):
    """The text of every string cell of an XLSX, one per line, whether the file keeps its strings in
    a shared table or inline in the sheets (XlsxWriter's constant-memory mode)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        parts = [
            book.read(name).decode()
            for name in book.namelist()
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet")
        ]
    texts = (text for part in parts for text in re.findall(r"<t(?:\s[^>]*)?>(.*?)</t>", part, flags=re.S))
    return "\n".join(html.unescape(text) for text in texts)


def xlsx_sheet_names(content):
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        workbook = book.read("xl/workbook.xml").decode()
    return [html.unescape(name) for name in re.findall(r'<sheet name="([^"]*)"', workbook)]


def clear_first_day_defaults(company):
    """Remove what every new company gets on its first day (strategy, grades, scorecard, late-fee
    product; see res_company_defaults.py), for tests that set up their own."""
    company = company.sudo()
    env = company.env
    strategies = (
        env["credit.collection.strategy"].with_context(active_test=False).search([("company_id", "=", company.id)])
    )
    product = company.collection_fee_product_id
    company.write({"collection_strategy_id": False, "collection_fee_product_id": False})
    strategies.unlink()
    env["credit.scorecard"].with_context(active_test=False).search([("company_id", "=", company.id)]).unlink()
    # highest first: the remaining bands must still start at 0
    env["credit.grade"].with_context(active_test=False).search(
        [("company_id", "=", company.id)], order="score_min desc"
    ).unlink()
    product.unlink()


class CreditCommon(AccountTestInvoicingCommon):
    """A company with credit control on, a 10 % tax, a customer with a contact and a delivery
    address, a salesman and two credit managers. Amounts are chosen so that every figure is
    checkable by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # the fixture builds its own strategy, grades and scorecard: start from a blank company
        clear_first_day_defaults(cls.company)
        # the fixture's own user sets up limits: it is a credit manager
        cls.env.user.groups_id += cls.env.ref("credit_collection.group_credit_manager")
        cls.company.write({"account_use_credit_limit": True, "credit_approval_validity_days": 7})
        cls.currency = cls.company.currency_id
        cls.tax10 = cls.env["account.tax"].create(
            {"name": "VAT 10%", "amount": 10.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Widget",
                "list_price": 100.0,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.set(cls.tax10.ids)],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.product_notax = cls.env["product.product"].create(
            {
                "name": "Service",
                "list_price": 100.0,
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Trading", "is_company": True, "credit_limit": 10000.0, "email": "ap@acme.example"}
        )
        cls.contact = cls.env["res.partner"].create({"name": "Ann Buyer", "parent_id": cls.customer.id})
        cls.delivery = cls.env["res.partner"].create(
            {"name": "Acme Warehouse", "parent_id": cls.customer.id, "type": "delivery"}
        )
        groups = "sales_team.group_sale_salesman"
        cls.salesman = new_test_user(
            cls.env, login="cct_salesman", groups=groups, company_id=cls.company.id, company_ids=cls.company.ids
        )
        manager_groups = "sales_team.group_sale_salesman_all_leads,credit_collection.group_credit_manager"
        cls.manager = new_test_user(
            cls.env, login="cct_manager", groups=manager_groups, company_id=cls.company.id, company_ids=cls.company.ids
        )
        cls.manager2 = new_test_user(
            cls.env, login="cct_manager2", groups=manager_groups, company_id=cls.company.id, company_ids=cls.company.ids
        )

    # ------------------------------------------------------------------ helpers
    @classmethod
    def _order(cls, amount, partner=None, product=None, currency=None, user=None, confirm=False, **vals):
        """A quotation of `amount` before tax (one line, price = amount)."""
        product = product or cls.product
        order = (
            cls.env["sale.order"]
            .with_user(user or cls.env.user)
            .create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "company_id": cls.company.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1, "price_unit": amount})
                    ],
                    **({"currency_id": currency.id} if currency else {}),
                    **vals,
                }
            )
        )
        if currency:
            pricelist = cls.env["product.pricelist"].create({"name": f"PL {currency.name}", "currency_id": currency.id})
            order.pricelist_id = pricelist
            order.order_line.price_unit = amount
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _invoice(
        cls,
        amount,
        partner=None,
        post=True,
        invoice_date=None,
        due_date=None,
        move_type="out_invoice",
        currency=None,
        taxes=None,
    ):
        """A customer invoice of `amount` before tax (no tax unless given)."""
        invoice_date = invoice_date or fields.Date.context_today(cls.env.user)
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or cls.customer).id,
                "company_id": cls.company.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date or invoice_date,
                "invoice_payment_term_id": False,
                **({"currency_id": currency.id} if currency else {}),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set((taxes or cls.env["account.tax"]).ids)],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, pay_date=None):
        """Register a payment of `amount` (invoice currency) against `invoice`."""
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": pay_date or fields.Date.context_today(cls.env.user)})
        )
        return wizard._create_payments()

    @classmethod
    def _unapplied_payment(cls, amount, partner=None):
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or cls.customer).id,
                "amount": amount,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "date": fields.Date.context_today(cls.env.user),
            }
        )
        payment.action_post()
        return payment

    def flush_tracking(self):
        """Chatter tracking is written at commit time (a precommit hook): run it now."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _position(self, partner=None, company=None, orders=None):
        return self.env["credit.exposure"]._get_exposures(
            partner or self.customer, company or self.company, exclude_orders=orders
        )[(partner or self.customer).commercial_partner_id.id]

    def assertExposure(self, receivable, draft, orders, partner=None, msg=""):
        exp = self._position(partner)
        self.assertEqual(
            (exp.receivable, exp.draft_invoices, exp.open_orders),
            (receivable, draft, orders),
            f"exposure (receivable, draft invoices, open orders) {msg}",
        )

    @staticmethod
    def days_ago(n):
        return date.fromordinal(fields.Date.today().toordinal() - n)
