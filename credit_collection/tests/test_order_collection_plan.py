from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestOrderCollectionPlan(CollectionCommon):
    def _forecast(self):
        rows = (
            self.env["credit.cashin.forecast"].with_user(self.collector).search([("partner_id", "=", self.customer.id)])
        )
        return sorted((r.source, r.forecast_date, r.residual) for r in rows)

    def _order_with_plan(self):
        order = self._order(
            100.0,
            product=self.product_notax,
            user=self.salesman,
            commitment_date=datetime.combine(day(20), datetime.min.time()),
            collection_milestone_ids=[
                Command.create({"name": "Deposit on signing", "percent": 30.0, "trigger": "order", "days": 0}),
                Command.create({"name": "On delivery", "percent": 60.0, "trigger": "delivery", "days": 0}),
                Command.create({"name": "Acceptance", "percent": 10.0, "trigger": "delivery", "days": 30}),
            ],
        )
        order.order_line.product_uom_qty = 10
        return order

    def test_order_plan_forecast_then_invoice_without_double_counting(self):
        with freeze_time(day(10)):
            order = self._order_with_plan()
            self.assertEqual(self._forecast(), [], "a quotation is no expected receipt")
            order.with_user(self.salesman).action_confirm()
            self.assertEqual(order.collection_milestone_ids.mapped("amount"), [300.0, 600.0, 100.0])
            self.assertEqual(
                self._forecast(),
                [("order_plan", day(10), 300.0), ("order_plan", day(20), 600.0), ("order_plan", day(50), 100.0)],
            )
            # the deposit is invoiced: its invoice takes over, the other milestones stay
            deposit = order._create_invoices()
            deposit.invoice_line_ids.quantity = 3
            deposit.action_post()
            self.assertEqual(
                self._forecast(),
                [("invoice", day(10), 300.0), ("order_plan", day(20), 600.0), ("order_plan", day(50), 100.0)],
                "300.00 once, from the invoice",
            )
            self.assertEqual(order.collection_milestone_ids.mapped("amount_open"), [0.0, 600.0, 100.0])
            rest = order._create_invoices()
            rest.action_post()
            self.assertEqual(rest.amount_total, 700.0)
            self.assertEqual(
                self._forecast(),
                [("invoice", day(10), 300.0), ("invoice", day(10), 700.0)],
                "fully invoiced: the invoices' due dates only",
            )

    def test_prefilled_from_payment_terms_and_refused_above_100(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30% now, 70% in 30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 30}),
                ],
            }
        )
        with freeze_time(day(10)):
            order = self._order(1000.0, product=self.product_notax, user=self.salesman, payment_term_id=term.id)
            order.with_user(self.salesman).action_collection_plan_from_terms()
            self.assertEqual(
                [(m.percent, m.trigger, m.days) for m in order.collection_milestone_ids],
                [(30.0, "delivery", 0), (70.0, "delivery", 30)],
            )
            with self.assertRefused(ValidationError, "add up to 110.0"):
                order.with_user(self.salesman).write(
                    {"collection_milestone_ids": [Command.create({"name": "Extra", "percent": 10.0})]}
                )
            self.assertEqual(len(order.collection_milestone_ids), 2)

    def test_confirmation_dates_the_milestones(self):
        """Confirming writes the order's date: the milestones counted from it follow (the order's
        dates are not their compute's dependencies, so confirming an order without a plan does
        not look for milestones)."""
        with freeze_time(day(5)):
            order = self._order_with_plan()
        deposit = order.collection_milestone_ids[0]
        self.assertEqual(deposit.expected_date, day(5))
        with freeze_time(day(12)):
            order.with_user(self.salesman).action_confirm()
            self.assertEqual(deposit.expected_date, day(12))
            self.assertEqual(self._forecast()[0], ("order_plan", day(12), 300.0))

    def test_confirming_without_a_plan_reads_no_milestone(self):
        """The order-time hot path: confirming an order without a collection plan sends no query
        about milestones (Odoo's SQL log, as the query-count tests read it)."""
        order = self._order(100.0, product=self.product_notax, user=self.salesman)
        self.assertFalse(order.has_collection_plan)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            order.with_user(self.salesman).action_confirm()
            self.env.flush_all()
        self.assertEqual(order.state, "sale")
        self.assertFalse([r.getMessage() for r in logs.records if "sale_order_collection_milestone" in r.getMessage()])
