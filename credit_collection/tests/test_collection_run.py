from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL, html2plaintext

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionRun(CollectionCommon):
    def _story(self):
        """Three customers, each with one invoice 65 days overdue (final notice: email, activity, fee)."""
        return {
            partner: self._due_invoice(1000.0, partner=partner)
            for partner in (self.customer, self.customer2, self.customer3)
        }

    def _effects(self, partner):
        fees = self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("invoice_line_ids.product_id", "=", self.fee_product.id)]
        )
        return len(self._mails(partner)), len(partner.activity_ids), len(fees)

    def test_crash_mid_run_then_resume_without_duplicates(self):
        moves = self._story()
        # the first run "crashes" after its first batch of one customer (what committed stays)
        self._run(day(65), batch_size=1, max_batches=1)
        done = [partner for partner, move in moves.items() if move.collection_stage_id]
        self.assertEqual(len(done), 1, "one batch of one customer done before the crash")
        # the next run finishes the others and redoes nothing
        self._run(day(65), batch_size=1)
        for partner, move in moves.items():
            self.assertEqual(move.collection_stage_id, self.stages["Final notice"], partner.name)
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: one email, activity, fee")
        self._run(day(65))
        self._run(day(66))
        for partner, move in moves.items():
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: still one of each")
            self.assertEqual(len(self._history(move)), 1)

    def test_rerun_with_nothing_to_do_writes_nothing(self):
        self._story()
        self._run(day(65))
        with freeze_time(day(65)):
            plan = self.env["credit.collection.run"]._collection_plan(self.company, day(65))
        self.assertEqual(plan, {}, "nothing left to do on the same day")
        moves = self.env["account.move"].search([("collection_stage_id", "!=", False)])
        write_dates = moves.mapped("write_date")
        with freeze_time(day(89)):
            plan = self.env["credit.collection.run"]._collection_plan(self.company, day(89))
        self.assertEqual(plan, {}, "nothing to do until the next stage falls due (day 90)")
        self._run(day(89))
        self.assertEqual(moves.mapped("write_date"), write_dates, "no invoice written")

    def test_failing_customer_does_not_stop_the_others(self):
        # A transient failure (a template that cannot be rendered for this customer) rolls the
        # customer back and is retried the next day. (A missing email address used to be such a
        # failure: it is now a data problem handled by the stage's fallback, test_collection_channels.)
        moves = self._story()
        broken = self.env.ref("credit_collection.mail_template_collection_reminder").copy(
            {"subject": "{{ 1 // (object.ref != 'BROKEN') }} reminder"}
        )
        self.stages["Final notice"].mail_template_id = broken
        self.customer2.ref = "BROKEN"  # the reminder of this customer cannot be rendered
        with self.assertLogs("odoo.addons.credit_collection", "WARNING") as logs:
            self._run(day(65))
        self.assertIn("Failed to render", "\n".join(logs.output), "the run logs the failure and goes on")
        failed = moves[self.customer2]
        self.assertFalse(failed.collection_stage_id, "its stage is not applied (rolled back)")
        self.assertIn("Failed to render", failed.collection_error)
        self.assertFalse(self._history(failed))
        self.assertEqual(self._effects(self.customer2), (0, 0, 0), "no activity nor fee left behind")
        self.assertIn("Failed to render", failed.message_ids[0].body)
        for partner in (self.customer, self.customer3):
            self.assertEqual(moves[partner].collection_stage_id, self.stages["Final notice"], partner.name)
        # the collector sees it on the worklist
        row = (
            self.env["credit.collection.worklist"]
            .with_user(self.collector)
            .search([("partner_id", "=", self.customer2.id)])
        )
        self.assertEqual(row.failure_count, 1)
        # not retried in a loop the same day; retried the next day once fixed
        self._run(day(65))
        self.assertFalse(failed.collection_stage_id)
        self.customer2.ref = False
        self._run(day(66))
        self.assertEqual(failed.collection_stage_id, self.stages["Final notice"])
        self.assertFalse(failed.collection_error)
        self.assertEqual(self._effects(self.customer2), (1, 1, 1))

    def test_batch_compiles_each_template_once(self):
        """The stage's email body is compiled once for the batch (and its expressions checked once),
        not once per customer: the number of QWeb compilations does not grow with the customers,
        and each customer still gets its own invoices in its own email."""
        from odoo.addons.base.models.ir_qweb import IrQWeb

        def customers(tag, count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Compile {tag} {i}", "is_company": True, "email": f"ap{tag}{i}@compile.example"}
                    for i in range(count)
                ]
            )
            return {partner: self._due_invoice(100.0 + i, partner=partner) for i, partner in enumerate(partners)}

        def compilations(invoices):
            calls = []
            generate = IrQWeb._generate_code

            def counting(qweb, template):
                calls.append(template)
                return generate(qweb, template)

            with patch.object(IrQWeb, "_generate_code", counting):
                self._run(day(16))
            for partner, invoice in invoices.items():
                mails = self._mails(partner)
                self.assertEqual(len(mails), 1, f"{partner.name}: one email")
                self.assertIn(invoice.name, mails.body_html, "its own invoice in its own email")
            return len(calls)

        compilations(customers("warm", 1))  # first use of the layouts and views
        self.assertEqual(compilations(customers("a", 2)), compilations(customers("b", 5)))

    def test_batch_queries_do_not_grow_with_customers(self):
        """Each stage is applied to the batch's customers at once (history rows, messages, emails
        and their notifications in one create each): a customer more costs at most two queries (one
        is Odoo's search of the thread's earlier messages for the email's References), where
        posting one by one cost 18."""

        def customers(tag, count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Batch {tag} {i}", "is_company": True, "email": f"ap{tag}{i}@batch.example"}
                    for i in range(count)
                ]
            )
            for partner in partners:
                self._due_invoice(100.0, partner=partner)
            return partners

        def run_queries(partners):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self._run(day(16))
            queries = self.env.cr.sql_log_count - before
            for partner in partners:
                self.assertEqual(len(self._mails(partner)), 1, f"{partner.name}: one email")
            return queries

        run_queries(customers("warm", 1))  # first use of the templates, views and caches
        two = run_queries(customers("a", 2))
        six = run_queries(customers("b", 6))
        self.assertLessEqual(six - two, 4 * 2, f"2 customers: {two} queries, 6 customers: {six}")

    def _table_writes(self, table):
        """(rows inserted, rows updated) in `table` by this transaction so far (PostgreSQL's own count)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(n_tup_ins), 0), COALESCE(SUM(n_tup_upd), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname = %s",
            [table],
        )
        return self.env.cr.fetchone()

    def _run_batch(self, on):
        """One batch of the run for the fixture's company only (the dev database's demo companies
        have invoices of their own)."""
        with freeze_time(on):
            run = self.env["credit.collection.run"].sudo().with_company(self.company)
            run._collection_process_batch(run._collection_plan(self.company, on), on)
            self.env.flush_all()

    def _counts_during_run(self, on, table):
        ins, upd = self._table_writes(table)
        self._run_batch(on)
        ins2, upd2 = self._table_writes(table)
        return ins2 - ins, upd2 - upd

    def test_batch_inserts_history_rows_without_updating_them(self):
        """The history rows are inserted with what was done and their customer, company and
        strategy: no second pass over them (an UPDATE of every row after its INSERT)."""
        moves = {
            partner: self._due_invoice(1000.0, partner=partner)
            for partner in (self.customer, self.customer2, self.customer3)
        }
        inserted, updated = self._counts_during_run(day(16), "credit_collection_history")
        self.assertEqual((inserted, updated), (3, 0), "3 rows inserted, none updated")
        for partner, move in moves.items():
            history = self._history(move)
            self.assertEqual(
                (history.partner_id, history.company_id, history.strategy_id, history.stage_id),
                (partner, self.company, self.strategy, self.stages["Second notice"]),
            )
            self.assertTrue(history.mail_message_id, f"{partner.name}: its email")
            self.assertIn("email", history.actions)
        self.assertTrue(self._history(moves[self.customer]).activity_id, "the collector's activity")

    def test_legal_handover_writes_each_invoice_once(self):
        """The legal handover and the invoice's stage and next date reach each invoice in one UPDATE
        (the ORM merges the writes of a batch at its flush)."""
        self.stages["Legal"].fee_type = "none"
        moves = {partner: self._due_invoice(1000.0, partner=partner) for partner in (self.customer, self.customer2)}
        _inserted, updated = self._counts_during_run(day(95), "account_move")
        self.assertEqual(updated, 2, "each invoice updated once")
        for move in moves.values():
            self.assertEqual(move.collection_stage_id, self.stages["Legal"])
            self.assertTrue(move.collection_legal)
            self.assertEqual(move.collection_legal_date, day(95))

    def test_legal_notes_logged_as_odoo_logs_them(self):
        """Each invoice handed over gets its note in its chatter, the very row Odoo's
        `_message_log_batch` writes, but Odoo's message create runs once per distinct text, not once
        per invoice."""
        from odoo.addons.mail.models.mail_message import Message

        self.stages["Legal"].fee_type = "none"
        text = "created for the legal handover."

        def handed_over(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Legal {count} {i}", "is_company": True} for i in range(count)]
            )
            moves = self.env["account.move"].browse(
                [self._due_invoice(100.0 + i, partner=partner).id for i, partner in enumerate(partners)]
            )
            bodies = []
            create = Message.create

            def counting(model, vals_list):
                bodies.extend(str(vals.get("body")) for vals in vals_list)
                return create(model, vals_list)

            with patch.object(Message, "create", counting):
                self._run_batch(day(95))
            return moves, sum(text in body for body in bodies)

        moves, orm_notes = handed_over(2)
        self.assertEqual(orm_notes, 1, "2 invoices: one note through Odoo's create")
        moves, orm_notes = handed_over(5)
        self.assertEqual(orm_notes, 1, "5 invoices: still one")
        # Odoo's own log of the same text, for the comparison
        body = html2plaintext(moves[0].message_ids.filtered(lambda m: text in str(m.body)).body)
        self.assertEqual(body, "Specific provision at 100.0 % created for the legal handover.")
        reference = self._due_invoice(50.0, partner=self.customer3)
        with freeze_time(day(95)):
            reference.sudo()._message_log_batch(bodies={reference.id: body})
        self.env.flush_all()
        columns = [
            name
            for name, field in self.env["mail.message"]._fields.items()
            if field.store and field.column_type and name not in ("id", "res_id", "message_id")
        ]
        self.env.cr.execute(
            SQL(
                "SELECT res_id, %s FROM mail_message WHERE model = 'account.move' AND res_id = ANY(%s)"
                " AND body::text LIKE %s ORDER BY id",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                moves.ids + reference.ids,
                "%legal handover%",
            )
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.assertEqual(set(rows), set(moves.ids + reference.ids), "one note per invoice")
        for move in moves:
            self.assertEqual(
                dict(zip(columns, rows[move.id], strict=True)),
                dict(zip(columns, rows[reference.id], strict=True)),
                f"{move.name}: the row Odoo writes",
            )
            notes = move.message_ids.filtered(lambda m: text in str(m.body))
            self.assertEqual(len(notes), 1, f"{move.name}: its note in its chatter")

    # ------------------------------------------------------------------ with tracking, as the cron
    def _tracking_env(self, user):
        """`user`'s env with Odoo's tracking, creation notes and followers on (the test classes
        switch them off; Odoo's cron does not)."""
        quiet = ("tracking_disable", "mail_create_nolog", "mail_create_nosubscribe", "mail_notrack")
        return self.env(user=user, context=dict(self.env.context, **dict.fromkeys(quiet, False)))

    def _tracked_run_batch(self, on, user):
        """One batch of the run for the fixture's company, by `user`, with tracking, then the
        commit's tracking step (Odoo writes its tracking messages in the precommit hooks)."""
        env = self._tracking_env(user)
        with freeze_time(on):
            run = env["credit.collection.run"].sudo().with_company(self.company)
            run._collection_process_batch(run._collection_plan(self.company, on), on)
            env.flush_all()
            env.cr.flush()

    def _legal_customers(self, tag, count):
        partners = self.env["res.partner"].create(
            [{"name": f"Tracked {tag} {i}", "is_company": True} for i in range(count)]
        )
        return self.env["account.move"].browse(
            [self._due_invoice(100.0 + i, partner=partner).id for i, partner in enumerate(partners)]
        )

    def _rows(self, table, where, params, skip):
        """{key: {column: value}} of `table`'s rows matching `where` (the key is the first column)."""
        model = {"mail_message": "mail.message", "mail_tracking_value": "mail.tracking.value"}[table]
        columns = [
            name
            for name, field in self.env[model]._fields.items()
            if field.store and field.column_type and name not in skip
        ]
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE %s ORDER BY id",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL.identifier(table),
                SQL(where, *params),
            )
        )
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    def test_legal_handover_tracked_as_odoo_tracks_it(self):
        """With tracking on (as the cron runs), each handed-over invoice shows in its chatter the
        change of Legal / Agency, the message and tracking value Odoo's own tracking writes for a
        plain write of the flag; each legal provision its creation note, followed by its creator."""
        self.stages["Legal"].fee_type = "none"
        moves = self._legal_customers("track", 3)
        self._tracked_run_batch(day(95), self.collector)
        # Odoo's own tracking, for the comparison: the same flag set by a plain write, same user
        reference = self._due_invoice(50.0, partner=self.customer3)
        self.flush_tracking()  # the fixture's creations, made without tracking
        with freeze_time(day(95)):
            reference.with_env(self._tracking_env(self.collector)).sudo().write({"collection_legal": True})
            self.flush_tracking()
        field = self.env["ir.model.fields"]._get("account.move", "collection_legal")
        tracking_skip = ("id", "mail_message_id", "create_date", "write_date")
        expected = self._rows(
            "mail_tracking_value",
            "mail_message_id IN (SELECT id FROM mail_message WHERE model = 'account.move' AND res_id = %s)",
            [reference.id],
            tracking_skip,
        )
        self.assertEqual(len(expected), 1, "Odoo tracks the flag with one value")
        self.assertEqual(
            (expected[0]["field_id"], expected[0]["old_value_integer"], expected[0]["new_value_integer"]),
            (field.id, 0, 1),
        )
        message_skip = ("id", "res_id", "message_id", "create_date", "write_date")
        (expected_message,) = self._rows(
            "mail_message",
            "id IN (SELECT mail_message_id FROM mail_tracking_value) AND model = 'account.move' AND res_id = %s",
            [reference.id],
            message_skip,
        )
        self.assertEqual(expected_message["author_id"], self.collector.partner_id.id)
        provisions = self.env["credit.provision.specific"].search([("move_id", "in", moves.ids)])
        self.assertEqual(provisions.move_id, moves, "a legal provision per invoice")
        for move in moves:
            values = self._rows(
                "mail_tracking_value",
                "mail_message_id IN (SELECT id FROM mail_message WHERE model = 'account.move' AND res_id = %s)",
                [move.id],
                tracking_skip,
            )
            self.assertEqual(values, expected, f"{move.name}: Odoo's tracking value, column by column")
            messages = self._rows(
                "mail_message",
                "id IN (SELECT mail_message_id FROM mail_tracking_value) AND model = 'account.move' AND res_id = %s",
                [move.id],
                message_skip,
            )
            self.assertEqual(messages, [expected_message], f"{move.name}: Odoo's tracking message")
            tracked = move.message_ids.filtered("tracking_value_ids")
            self.assertEqual(tracked.tracking_value_ids.field_id, field, f"{move.name}: in its chatter")
            self.assertTrue(
                move.message_ids.filtered(lambda m: "created for the legal handover" in str(m.body)),
                f"{move.name}: the legal note",
            )
        # the customers put on hold: Odoo's tracking of the same hold and reason written plainly
        partners = moves.commercial_partner_id
        self.assertTrue(all(partners.mapped("credit_hold")), "held by the catch-up's hold stage")
        for partner in partners:
            twin = self.env["res.partner"].create({"name": f"Twin of {partner.name}", "is_company": True})
            self.flush_tracking()
            with freeze_time(day(95)):
                twin.with_env(self._tracking_env(self.collector)).sudo().with_company(self.company).write(
                    {"credit_hold": True, "credit_hold_reason": partner.credit_hold_reason}
                )
                self.flush_tracking()
            held, twin_held = (
                self._rows(
                    "mail_tracking_value",
                    "mail_message_id IN (SELECT id FROM mail_message WHERE model = 'res.partner' AND res_id = %s)",
                    [record.id],
                    tracking_skip,
                )
                for record in (partner, twin)
            )
            self.assertEqual(len(twin_held), 2, "Odoo tracks the hold and its reason")
            self.assertEqual(held, twin_held, f"{partner.name}: Odoo's tracking of the hold, column by column")
        # the provision's creation note: the one Odoo's create logs, by the run's user
        with freeze_time(day(95)):
            own = (
                self._tracking_env(self.collector)["credit.provision.specific"]
                .sudo()
                .create(
                    {
                        "company_id": self.company.id,
                        "partner_id": reference.commercial_partner_id.id,
                        "move_id": reference.id,
                        "reason": "Reference",
                    }
                )
            )
            self.flush_tracking()
        (expected_note,) = self._rows(
            "mail_message", "model = 'credit.provision.specific' AND res_id = %s", [own.id], message_skip
        )
        self.assertEqual(html2plaintext(expected_note["body"]), "Specific provision created")
        for provision in provisions:
            notes = self._rows(
                "mail_message", "model = 'credit.provision.specific' AND res_id = %s", [provision.id], message_skip
            )
            self.assertEqual(notes, [expected_note], f"{provision.display_name}: Odoo's creation note")
            self.assertEqual(
                provision.message_partner_ids, own.message_partner_ids, "followed by its creator, as Odoo does"
            )

    def test_legal_handover_tracking_messages_do_not_grow_with_invoices(self):
        """With tracking on, Odoo's message create runs as many times for 5 handed-over invoices as
        for 2 (it ran once per invoice for the tracking message and once per provision for its
        creation note)."""
        from odoo.addons.mail.models.mail_message import Message

        self.stages["Legal"].fee_type = "none"

        def creates(count):
            moves = self._legal_customers(count, count)
            calls = []
            create = Message.create

            def counting(model, vals_list):
                calls.append(len(vals_list))
                return create(model, vals_list)

            with patch.object(Message, "create", counting):
                self._tracked_run_batch(day(95), self.collector)
            for move in moves:
                self.assertTrue(move.collection_legal)
                self.assertEqual(len(move.message_ids.tracking_value_ids), 1, f"{move.name}: its tracked change")
            return len(calls)

        creates(1)  # first use of the caches
        two, five = creates(2), creates(5)
        self.assertEqual(two, five, f"message creates: {two} for 2 invoices, {five} for 5")
