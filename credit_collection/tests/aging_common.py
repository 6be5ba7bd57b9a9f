from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from .common import CreditCommon

D = date(2024, 6, 30)  # the as-of date of the hand-built dataset


class AgingCommon(CreditCommon):
    """A hand-built receivable history around 30 June 2024 (see test_aging.py for the figures)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="cct_aging_collector",
            groups="credit_collection.group_credit_collector",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.days_set = cls.env.ref("credit_collection.aging_bucket_set_days")
        cls.years_set = cls.env.ref("credit_collection.aging_bucket_set_years")
        cls.engine = cls.env["credit.aging.engine"]
        cls.beta = cls.env["res.partner"].create({"name": "Beta Ltd", "is_company": True})

    @classmethod
    def _inv(cls, amount, inv_date, due=None, partner=None, move_type="out_invoice", currency=None, company=None):
        company = company or cls.company
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or cls.customer).id,
                "company_id": company.id,
                "journal_id": cls.env["account.journal"]
                .search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
                .id,
                "invoice_date": inv_date,
                "date": inv_date,
                "invoice_date_due": due or inv_date,
                "invoice_payment_term_id": False,
                "invoice_user_id": cls.salesman.id,
                **({"currency_id": currency.id} if currency else {}),
                "invoice_line_ids": [
                    Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]})
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _payment(cls, amount, pay_date, partner=None, currency=None):
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or cls.customer).id,
                "amount": amount,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "date": pay_date,
                **({"currency_id": currency.id} if currency else {}),
            }
        )
        payment.action_post()
        return payment

    def _totals_by_bucket(self, totals):
        out = {}
        for group in totals.values():
            for key, amount in group.items():
                if isinstance(key, int):
                    out[key] = out.get(key, 0.0) + amount
        return {k: self.currency.round(v) for k, v in out.items()}
