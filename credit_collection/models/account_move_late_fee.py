"""Late fees and interest a collection stage invoices on an overdue customer invoice."""

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------ late fees
    def _collection_fee_amount(self, stage, today):
        """The late fee of this invoice at `stage`, company currency: fixed, or simple annual interest
        along the payment timeline (see `_collection_interest`)."""
        return self._collection_fee(stage, today)[0]

    def _collection_fee(self, stage, today):
        """(amount, periods) of the late fee of this invoice at `stage`; periods are the interest's
        (from, to, days, residual) pieces, empty for a fixed fee."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if stage.fee_type == "fixed":
            return currency.round(stage.fee_amount), []
        if stage.fee_type == "interest":
            return self._collection_interest(stage.fee_rate, self._collection_interest_start(), today)
        return 0.0, []

    def _collection_interest_start(self):
        """Interest runs from the due date, or from the date of the last interest fee already charged
        on this invoice: a later interest stage never bills the same days twice."""
        self.ensure_one()
        charged = (
            self.env["credit.collection.history"]
            .sudo()
            .search(
                [("move_id", "=", self.id), ("fee_move_id", "!=", False), ("stage_id.fee_type", "=", "interest")],
                order="date desc",
                limit=1,
            )
        )
        return max(self.invoice_date_due, charged.date) if charged else self.invoice_date_due

    def _collection_interest(self, rate, start, end):
        """Σ over the periods between payments of residual × rate / 100 × days / 365, rounded once
        to the cent (company currency). The residual of a period is the invoice's receivable less
        the reconciliations (payments, credit notes, write-offs) dated on or before the period's
        start: a part-payment on day 89 lowers the interest from day 89 only."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if not start or not end or end <= start:
            return 0.0, []
        lines = self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        events = sorted((partial.max_date, partial.amount) for partial in lines.matched_credit_ids)
        residual = sum(lines.mapped("balance")) - sum(amount for date, amount in events if date <= start)
        periods, cursor = [], start
        for date, amount in events:
            if date <= start:
                continue
            if date >= end:
                break
            periods.append((cursor, date, residual))
            residual -= amount
            cursor = date
        periods.append((cursor, end, residual))
        periods = [
            (begin, stop, (stop - begin).days, amount)
            for begin, stop, amount in periods
            if (stop - begin).days > 0 and currency.compare_amounts(amount, 0.0) > 0
        ]
        total = sum(amount * rate / 100.0 * days / 365.0 for _begin, _stop, days, amount in periods)
        return currency.round(total), periods

    def _collection_fee_label(self, stage, amount, periods):
        """The fee line's text, in the customer's language: the computation is on the invoice the
        customer receives (amount, rate, from-to, days per period)."""
        self.ensure_one()
        env = self.with_context(lang=self.commercial_partner_id.lang or self.env.lang).env
        currency = self.company_id.currency_id
        label = env._("Late fee on %(move)s (%(stage)s)", move=self.name, stage=stage.with_env(env).name)
        if not periods:
            return label
        pieces = [
            env._(
                "%(amount)s from %(start)s to %(end)s (%(days)s days)",
                amount=currency.format(residual),
                start=format_date(env, begin),
                end=format_date(env, stop),
                days=days,
            )
            for begin, stop, days, residual in periods
        ]
        rate = f"{stage.fee_rate:g}"  # outside the call: babel's extractor cannot evaluate an f-string there
        return env._(
            "%(label)s: interest %(rate)s %% a year on %(periods)s = %(fee)s",
            label=label,
            rate=rate,
            periods="; ".join(pieces),
            fee=currency.format(amount),
        )

    def _collection_charge_late_fee(self, stage, today=None):
        """Invoice the late fee of `stage` for these invoices (one fee invoice, a line per invoice).
        Refused on disputed invoices and when the fee of that stage was already charged: never twice."""
        today = today or fields.Date.context_today(self)
        company = self.company_id
        if len(company) != 1 or len(self.commercial_partner_id) != 1:
            raise UserError(self.env._("Late fees are invoiced per customer and company."))
        if stage.fee_type == "none":
            raise UserError(self.env._("Stage %(stage)s charges no late fee.", stage=stage.name))
        disputed = self.filtered("collection_dispute")
        if disputed:
            raise UserError(
                self.env._(
                    "No late fee on disputed invoices (%(moves)s): resolve the dispute first.",
                    moves=", ".join(disputed.mapped("name")),
                )
            )
        History = self.env["credit.collection.history"].sudo()
        histories = History.search([("move_id", "in", self.ids), ("stage_id", "=", stage.id)])
        charged = histories.filtered("fee_move_id").move_id
        if charged:
            raise UserError(
                self.env._(
                    "The late fee of stage %(stage)s was already invoiced for %(moves)s: it is charged only once.",
                    stage=stage.name,
                    moves=", ".join(charged.mapped("name")),
                )
            )
        product = company.collection_fee_product_id
        if not product:
            raise UserError(
                self.env._(
                    "%(company)s has no Late Fee Product: set it in %(where)s before charging late fees.",
                    company=company.name,
                    where=company._credit_where(self.env._("Late Fees and Write-offs")),
                )
            )
        lines = []
        amounts = {}
        for move in self:
            amount, periods = move._collection_fee(stage, today)
            amounts[move.id] = amount
            if company.currency_id.is_zero(amount):
                continue
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": move._collection_fee_label(stage, amount, periods),
                        "quantity": 1,
                        "price_unit": amount,
                    }
                )
            )
        fee_move = self.env["account.move"]
        if lines:
            fee_move = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.commercial_partner_id.id,
                        "company_id": company.id,
                        "currency_id": company.currency_id.id,
                        "invoice_date": today,
                        "invoice_date_due": today,
                        "invoice_payment_term_id": False,
                        "invoice_origin": ", ".join(self.mapped("name")),
                        "collection_is_fee": True,
                        "invoice_line_ids": lines,
                    }
                )
            )
            fee_move.action_post()
        for move in self:
            history = histories.filtered(lambda h, move=move: h.move_id == move)
            vals = {"fee_move_id": fee_move.id, "fee_amount": amounts[move.id]}
            if history:
                history.write(vals)
            else:
                History.create({"move_id": move.id, "stage_id": stage.id, "date": today, "trigger": "manual", **vals})
        return fee_move
