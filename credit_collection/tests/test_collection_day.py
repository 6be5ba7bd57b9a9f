"""The collector's day: the worklist reads forward and tells the truth, the run keeps stop-supply and
charges interest along the payment timeline, the predicted date, the statement button."""

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionDay(CollectionCommon):
    def _rows(self, partners, user=None):
        Worklist = self.env["credit.collection.worklist"]
        Worklist.invalidate_model()  # a view: re-read it
        rows = Worklist.with_user(user or self.collector).search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.company.id)]
        )
        return {row.partner_id: row for row in rows}

    # ------------------------------------------------------------------ worklist filters
    def test_default_filters_overdue_and_not_snoozed(self):
        """The default view shows customers with something overdue AND not snoozed."""
        self._due_invoice(1000.0)  # customer: overdue, will be snoozed
        self._due_invoice(300.0, partner=self.customer2)  # overdue, not snoozed
        self._due_invoice(200.0, partner=self.customer3, due=day(40))  # nothing overdue yet
        action = self.env.ref("credit_collection.credit_collection_worklist_action")
        defaults = [key[len("search_default_") :] for key in safe_eval(action.context) if key.startswith("search_")]
        arch = etree.fromstring(self.env.ref("credit_collection.credit_collection_worklist_view_search").arch)
        # filters of one group (between separators) are OR-ed, groups are AND-ed, as the web client does
        groups, current = [], []
        for node in arch:
            if node.tag == "separator" and current:
                groups.append(current)
                current = []
            elif node.tag == "filter" and node.get("domain"):
                current.append(node)
        groups.append(current)
        with freeze_time(day(20)):
            self.env["credit.collection.call.wizard"].with_user(self.collector).create(
                {"partner_id": self.customer.id, "mode": "snooze", "snooze_until": day(27)}
            ).action_confirm()
            context = {"context_today": lambda: safe_datetime.date.today(), "uid": self.collector.id}
            domain = []
            for group in groups:
                active = [safe_eval(f.get("domain"), context) for f in group if f.get("name") in defaults]
                if not active:
                    continue
                ored = active[0]
                for other in active[1:]:
                    ored = ["|", *ored, *other]
                domain += ored
            shown = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([*domain, ("company_id", "=", self.company.id)])
            )
            self.assertEqual(shown.partner_id, self.customer2, "not the snoozed one, not the 0.00")
            snoozed_filter = arch.xpath("//filter[@name='snoozed']")[0]
            snoozed = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([*safe_eval(snoozed_filter.get("domain"), context), ("company_id", "=", self.company.id)])
            )
            self.assertEqual(snoozed.partner_id, self.customer, "snoozed ones are one filter away")

    # ------------------------------------------------------------------ rows read forward
    def test_row_reads_forward_and_names_the_invoice(self):
        old = self._due_invoice(1000.0)
        young = self._due_invoice(400.0, due=day(63))
        self._run(day(65))
        with freeze_time(day(65)):
            row = self._rows(self.customer)[self.customer]
            self.assertEqual(old.collection_stage_id, self.stages["Final notice"])
            self.assertEqual(young.collection_stage_id, self.stages["Reminder"])
            self.assertEqual(row.stage_id, self.stages["Final notice"], "the most advanced stage")
            self.assertEqual(row.next_move_id, young, "the next action is the younger invoice's")
            self.assertEqual(row.next_stage_id, self.stages["Second notice"])
            when = day(78).strftime("%m/%d/%Y")
            self.assertEqual(row.next_date, day(78))
            self.assertEqual(row.next_action, f"Second notice for {young.name} on {when}")
            # the customer form reads the same row
            partner = self.customer.with_user(self.collector)
            self.assertEqual(partner.collection_stage_id, self.stages["Final notice"])
            self.assertEqual(partner.collection_next_action, row.next_action)

    # ------------------------------------------------------------------ actions refresh the row
    def test_actions_refresh_the_row_at_once(self):
        first = self._due_invoice(1000.0)
        second = self._due_invoice(500.0, due=day(5))
        self._run(day(20))
        with freeze_time(day(20)):
            row = self._rows(self.customer)[self.customer]
            self.assertEqual((row.next_move_id, row.next_date), (first, day(30)), "the 1 000.00's formal warning")
            # a promise on the 1 000.00 pauses it until 40 + 3 grace days: the row moves on at once
            self.env["credit.collection.promise"].with_user(self.collector).create(
                {"move_id": first.id, "date": day(40), "amount": 1000.0}
            )
            self.assertEqual(first.collection_next_date, day(44), "the day after the promise's deadline")
            row = self._rows(self.customer)[self.customer]
            self.assertEqual((row.next_move_id, row.next_date), (second, day(35)), "now the 500.00's warning")
            # a dispute on the 500.00: the row's next action moves at once
            second.with_user(self.collector).action_collection_dispute("price")
            self.assertFalse(second.collection_next_stage_id)
            row = self._rows(self.customer)[self.customer]
            self.assertEqual((row.next_move_id, row.next_date), (first, day(44)))
            # resolved: back in the chase, its next stage is computed now
            second.with_user(self.collector).action_collection_resolve_dispute()
            self.assertEqual(
                (second.collection_next_stage_id, second.collection_next_date), (self.stages["Formal warning"], day(35))
            )
            row = self._rows(self.customer)[self.customer]
            self.assertEqual((row.next_move_id, row.next_date), (second, day(35)))

    # ------------------------------------------------------------------ disputes and the one overdue figure
    def test_disputes_out_of_every_overdue_figure(self):
        kept = self._due_invoice(1000.0, due=day(10))
        disputed = self._due_invoice(400.0)
        only = self._due_invoice(700.0, partner=self.customer2)
        self._run(day(20))
        disputed.with_user(self.collector).action_collection_dispute("quality")
        only.with_user(self.collector).action_collection_dispute("price")
        with freeze_time(day(20)):
            rows = self._rows(self.customer | self.customer2)
            row = rows[self.customer]
            self.assertEqual(row.overdue_amount, 1000.0)
            self.assertEqual(row.overdue_count, 1, "the disputed invoice is not counted")
            self.assertEqual(row.oldest_overdue_days, 10, "nor aged")
            self.assertEqual(row.priority, 1000.0 * 10)
            self.assertEqual((row.dispute_amount, row.dispute_count), (400.0, 1), "shown apart")
            self.assertEqual(kept.collection_stage_id, self.stages["Reminder"])
            row2 = rows[self.customer2]
            self.assertEqual((row2.overdue_amount, row2.overdue_count, row2.priority), (0.0, 0, 0.0))
            self.assertFalse(row2.stage_id, "all its overdue invoices are disputed: no chasing stage")
            self.assertEqual((row2.dispute_amount, row2.dispute_count), (700.0, 1))

    def test_one_overdue_figure_everywhere(self):
        """Credit notes and unapplied payments net the overdue amount on their own due dates;
        disputed invoices are out; the worklist, the customers' list and the aging agree."""
        self._due_invoice(1000.0)
        disputed = self._due_invoice(2500.0)
        self._due_invoice(600.0, partner=self.customer2)
        with freeze_time(day(-20)):
            refund = self._invoice(
                250.0, move_type="out_refund", invoice_date=day(-20), due_date=day(-20)
            )  # a credit note, due long ago
        self.assertEqual(refund.state, "posted")
        with freeze_time(day(5)):
            self._unapplied_payment(100.0, partner=self.customer2)
        disputed.with_user(self.collector).action_collection_dispute("price")
        with freeze_time(day(20)):
            rows = self._rows(self.customer | self.customer2)
            # the customers' credit list: several partners read at once, as the list does
            partners = (self.customer | self.customer2).with_user(self.collector).with_company(self.company)
            partners.invalidate_recordset()
            figures = {
                p: (p.credit_overdue_amount, p.credit_disputed_amount, p.credit_disputed_count) for p in partners
            }
            self.assertEqual(figures[self.customer], (750.0, 2500.0, 1), "1 000.00 - 250.00 refund; disputed apart")
            self.assertEqual(figures[self.customer2], (500.0, 0.0, 0), "600.00 - 100.00 unapplied payment")
            self.assertEqual(rows[self.customer].overdue_amount, 750.0)
            self.assertEqual(rows[self.customer2].overdue_amount, 500.0)
            summary = self.env["credit.aging.engine"].with_user(self.collector).get_summary(companies=self.company)
            self.assertEqual(summary["overdue"], 750.0 + 500.0, "the aging agrees (disputed apart)")
            self.assertEqual(summary["disputed"], 2500.0)

    # ------------------------------------------------------------------ catch-up keeps stop supply
    def test_catch_up_keeps_the_hold(self):
        move = self._due_invoice(1000.0)
        self._run(day(65))
        self.assertEqual(self._history(move).stage_id, self.stages["Final notice"], "only the highest stage")
        self.assertEqual(len(self._mails(self.customer)), 1, "one email, not four")
        self.assertTrue(self.customer.credit_hold, "the skipped formal warning's hold still applies")
        self.assertIn("Formal warning", self.customer.credit_hold_reason)

    def test_catch_up_keeps_the_legal_handover(self):
        strategy = self.env["credit.collection.strategy"].create(
            {
                "name": "Legal early",
                "company_id": self.company.id,
                "stage_ids": [
                    Command.create({"sequence": 1, "name": "To lawyer", "offset_days": 10, "legal_handover": True}),
                    Command.create({"sequence": 2, "name": "Later", "offset_days": 20}),
                ],
            }
        )
        self.customer3.with_company(self.company).collection_strategy_id = strategy
        move = self._due_invoice(800.0, partner=self.customer3)
        self._run(day(25))
        self.assertEqual(move.collection_stage_id.name, "Later")
        self.assertTrue(move.collection_legal, "the skipped stage's legal handover still applies")

    # ------------------------------------------------------------------ interest along the payment timeline
    def test_interest_follows_the_payment_timeline(self):
        strategy = self.env["credit.collection.strategy"].create(
            {
                "name": "Interest twice",
                "company_id": self.company.id,
                "stage_ids": [
                    Command.create(
                        {"sequence": 1, "name": "Interest 1", "offset_days": 30, "fee_type": "interest", "fee_rate": 12}
                    ),
                    Command.create(
                        {"sequence": 2, "name": "Interest 2", "offset_days": 90, "fee_type": "interest", "fee_rate": 12}
                    ),
                ],
            }
        )
        self.customer3.with_company(self.company).collection_strategy_id = strategy
        move = self._due_invoice(1000.0, partner=self.customer3)
        with freeze_time(day(20)):
            self._pay(move, 400.0, pay_date=day(20))
        self._run(day(30))
        self._run(day(90))
        histories = self._history(move)
        # day 0-20: 1 000.00 x 12 % x 20 / 365 + day 20-30: 600.00 x 12 % x 10 / 365 = 8.5479 -> 8.55
        # then only the days after the first fee: 600.00 x 12 % x 60 / 365 = 11.8356 -> 11.84
        self.assertEqual(histories.mapped("fee_amount"), [8.55, 11.84])
        first, second = histories.fee_move_id
        self.assertEqual((first.amount_total, second.amount_total), (8.55, 11.84))
        label = first.invoice_line_ids.name
        self.assertIn("12 % a year", label)
        self.assertIn("1,000.00 from 03/02/2026 to 03/22/2026 (20 days)", label)
        self.assertIn("600.00 from 03/22/2026 to 04/01/2026 (10 days)", label)
        self.assertIn("(60 days)", second.invoice_line_ids.name)

    # ------------------------------------------------------------------ predicted payment date
    def test_predicted_date_on_many_invoices_never_in_the_past(self):
        # the customer pays 10 days late (history); customer2 has none but shares its grade
        with freeze_time(day(-100)):
            paid = self._invoice(1000.0, invoice_date=day(-130), due_date=day(-100))
        with freeze_time(day(-90)):
            self._pay(paid, 1000.0)
        grade = (
            self.env["credit.grade"]
            .with_company(self.company)
            .create({"name": "B", "score_min": 0, "company_id": self.company.id})
        )
        for partner in (self.customer, self.customer2):
            partner.with_company(self.company).credit_grade_id = grade
        self.company.collection_default_days_late = 3
        moves = self.env["account.move"]
        for i in range(10):
            moves |= self._due_invoice(100.0 + i, due=day(i))
            moves |= self._due_invoice(200.0 + i, partner=self.customer2, due=day(i))
        with freeze_time(day(5)):
            # a list or an export reads the field on every record at once (it raised on the 2nd)
            values = moves.with_user(self.collector).read(["collection_predicted_date", "collection_predicted_passed"])
            self.assertEqual(len(values), 20)
            by_id = {v["id"]: v for v in values}
            first = moves.filtered(lambda m: m.invoice_date_due == day(0) and m.partner_id == self.customer2)
            self.assertEqual(by_id[first.id]["collection_predicted_date"], day(10), "the grade's average: 10 days")
            self.assertFalse(by_id[first.id]["collection_predicted_passed"])
        with freeze_time(day(15)):
            moves.invalidate_recordset(["collection_predicted_date", "collection_predicted_passed"])
            early = moves.filtered(lambda m: m.invoice_date_due == day(1) and m.partner_id == self.customer)
            self.assertEqual(early.collection_predicted_date, day(15), "day 11 has passed: today, not the past")
            self.assertTrue(early.collection_predicted_passed, "the form says the date is uncertain")
            self.assertTrue(all(d >= day(15) for d in moves.mapped("collection_predicted_date")))
        self.customer2.with_company(self.company).credit_grade_id = False
        with freeze_time(day(5)):
            moves.invalidate_recordset(["collection_predicted_date"])
            late = moves.filtered(lambda m: m.invoice_date_due == day(4) and m.partner_id == self.customer2)
            self.assertEqual(late.collection_predicted_date, day(7), "no grade: the company default (3 days)")

    # ------------------------------------------------------------------ statement button
    def test_statement_button_period_recipient_and_filename(self):
        billing = self.env["res.partner"].create(
            {"name": "Acme Billing", "parent_id": self.customer.id, "type": "invoice", "email": "bill@acme.example"}
        )
        self.customer.message_subscribe(partner_ids=(self.manager.partner_id | self.company.partner_id).ids)
        old = self._due_invoice(1000.0, due=day(-150))  # an item from 6 months before
        with freeze_time(day(20)):
            row = self._rows(self.customer)[self.customer]
            row.with_user(self.collector).action_send_statement()
            message = self.customer.message_ids[0]
            self.assertIn("statement of account", message.subject)
            self.assertEqual(message.notified_partner_ids, billing, "the invoicing contact only")
            self.assertEqual(message.attachment_ids.name, "Statement - Acme Trading - 2026-03-22.pdf")
            self.assertIn(old.invoice_date.strftime("%m/%d/%Y"), message.body, "from the oldest open item")

    # ------------------------------------------------------------------ per company, guarded
    def test_collector_snooze_and_broken_promises_per_company_and_guarded(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.collector.company_ids |= other
        self.env.cr.execute(
            "UPDATE res_partner SET collection_broken_promise_count = jsonb_build_object(%s::text, 2) WHERE id = %s",
            [str(self.company.id), self.customer.id],
        )
        self.customer.invalidate_recordset()
        customer = self.customer.with_user(self.salesman)
        self.assertEqual(customer.collection_broken_promise_count, 2)
        with self.assertRaises(AccessError, msg="a salesman cannot reset the count over RPC"):
            customer.write({"collection_broken_promise_count": 0})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).write({"collection_snooze_until": day(40)})
        with self.assertRaises(AccessError):
            customer.write({"credit_collector_id": self.salesman.id})
        with freeze_time(day(20)):
            self.env["credit.collection.call.wizard"].with_user(self.collector).with_company(self.company).create(
                {"partner_id": self.customer.id, "mode": "snooze", "snooze_until": day(27)}
            ).action_confirm()
        self.assertEqual(self.customer.with_company(self.company).collection_snooze_until, day(27))
        self.assertFalse(self.customer.with_company(other).collection_snooze_until, "another company's worklist")
        self.assertEqual(self.customer.with_company(self.company).credit_collector_id, self.collector)
        self.assertFalse(self.customer.with_company(other).credit_collector_id)
        # the count is incremented in the database, not from a stale cached value: a concurrent
        # increment (simulated below the ORM) is kept
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.collection_broken_promise_count, 2)  # cached
        self.env.cr.execute(
            "UPDATE res_partner SET collection_broken_promise_count = jsonb_build_object(%s::text, 5) WHERE id = %s",
            [str(self.company.id), self.customer.id],
        )
        partner.sudo()._collection_add_broken_promises(1, self.company)
        self.assertEqual(partner.collection_broken_promise_count, 6, "5 counted elsewhere + 1, not 2 + 1")
        self.assertEqual(self.customer.with_company(other).collection_broken_promise_count, 0)

    # ------------------------------------------------------------------ small things
    def test_dialog_titles_invoices_columns_and_dates(self):
        move = self._due_invoice(1000.0)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.collector.lang = "fr_FR"
        with freeze_time(day(20)):
            row = self._rows(self.customer)[self.customer].with_user(self.collector)
            self.assertEqual(row.action_record_promise()["name"], "Promise to Pay: Acme Trading")
            self.assertEqual(row.action_mark_dispute()["name"], "Mark Disputed: Acme Trading")
            self.assertEqual(row.action_snooze()["name"], "Snooze: Acme Trading")
            self.assertEqual(row.action_log_call()["name"], "Log a Call: Acme Trading")
            action = row.action_open_invoices()
            view = self.env["ir.ui.view"].browse(action["views"][0][0])
            columns = etree.fromstring(view.arch).xpath("//field/@name")
            self.assertIn("amount_residual_signed", columns)
            self.assertIn("invoice_date_due", columns)
            self.assertEqual(self.env["account.move"].search(action["domain"]), move)
            # the web client sends the user's language in the context
            self.env["credit.collection.promise"].with_user(self.collector).with_context(lang="fr_FR").create(
                {"move_id": move.id, "date": day(27), "amount": 300.0}
            )
            self.assertIn("29/03/2026", move.message_ids[0].body, "the user's date format, not ISO")

    def test_broken_promise_counted_by_the_run(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(5)):
            self.env["credit.collection.promise"].with_user(self.collector).create(
                {"move_id": move.id, "date": day(10), "amount": 1000.0}
            )
        self._run(day(20))
        self.assertEqual(self.customer.with_company(self.company).collection_broken_promise_count, 1)
        self.assertEqual(
            self.env["credit.collection.worklist"]
            .with_user(self.collector)
            .search([("partner_id", "=", self.customer.id)])
            .broken_promise_count,
            1,
        )

    def test_hold_reason_in_company_language_fee_line_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        self.stages["Formal warning"].with_context(lang="fr_FR").name = "Mise en demeure"
        self.stages["Legal"].with_context(lang="fr_FR").name = "Contentieux"
        self.customer3.lang = "fr_FR"
        self.customer3.with_company(self.company).credit_collector_id = self.collector
        move = self._due_invoice(1000.0, partner=self.customer3)
        self._due_invoice(1000.0)  # the customer: English
        self._run(day(31))
        self.assertIn("Mise en demeure", self.customer.credit_hold_reason, "read by the company's staff")
        self._run(day(91))
        fee = self._history(move).filtered(lambda h: h.stage_id == self.stages["Legal"]).fee_move_id
        label = fee.invoice_line_ids.name
        self.assertIn("Contentieux", label, "read by the customer")
        self.assertIn("02/03/2026", label, "dates in the customer's format")
