from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date


class CreditCollectionWriteoff(models.TransientModel):
    """Write off the open amount of customer invoices to the company's bad-debt account: one entry per
    invoice (so each one can be reversed alone), reconciled with the invoice."""

    _name = "credit.collection.writeoff"
    _description = "Write Off Invoices"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Char("Write-off Reason", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        domain="[('type', '=', 'general')]",
    )
    amount = fields.Monetary(compute="_compute_amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move" and "move_ids" in fields_list:
            values["move_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return values

    @api.depends("company_id")
    def _compute_account_id(self):
        for wizard in self:
            company = wizard.company_id
            wizard.account_id = company.collection_bad_debt_account_id
            wizard.journal_id = company.collection_writeoff_journal_id or self.env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "general")], limit=1
            )

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual_signed"))

    def action_write_off(self):
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers write off invoices."))
        if not self.account_id:
            raise UserError(
                self.env._(
                    "No bad-debt account: set one in the Credit & Collection settings of %(company)s (or on this "
                    "form) before writing off invoices.",
                    company=self.company_id.name,
                )
            )
        if not self.journal_id:
            raise UserError(self.env._("No miscellaneous journal to post the write-off in."))
        for move in self.move_ids:
            if move.move_type != "out_invoice" or move.state != "posted" or move.company_id != self.company_id:
                raise UserError(
                    self.env._(
                        "Only posted customer invoices of %(company)s can be written off (got %(move)s).",
                        company=self.company_id.name,
                        move=move.display_name,
                    )
                )
            if move.amount_residual <= 0:
                raise UserError(self.env._("%(move)s has nothing left to write off.", move=move.name))
        entries = self.env["account.move"]
        for move in self.move_ids:
            entries |= self._write_off(move)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", entries.ids)],
            "name": self.env._("Write-offs"),
        }

    def _write_off(self, move):
        receivables = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        label = self.env._("Write-off of %(move)s: %(reason)s", move=move.name, reason=self.reason)
        lines = []
        for line in receivables:
            common = {"partner_id": move.commercial_partner_id.id, "currency_id": line.currency_id.id, "name": label}
            lines.append(
                Command.create(
                    {
                        **common,
                        "account_id": line.account_id.id,
                        "balance": -line.amount_residual,
                        "amount_currency": -line.amount_residual_currency,
                    }
                )
            )
            lines.append(
                Command.create(
                    {
                        **common,
                        "account_id": self.account_id.id,
                        "balance": line.amount_residual,
                        "amount_currency": line.amount_residual_currency,
                    }
                )
            )
        amount = move.amount_residual_signed
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal_id.id,
                "company_id": self.company_id.id,
                "date": self.date,
                "ref": label,
                "line_ids": lines,
            }
        )
        entry.action_post()
        for line in receivables:
            (
                line
                | entry.line_ids.filtered(
                    lambda e, line=line: e.account_id == line.account_id and e.balance == -line.amount_residual
                )
            ).reconcile()
        move.sudo().collection_writeoff_move_id = entry  # checked above: a credit manager
        message = self.env._(
            "%(move)s written off (%(amount)s) to %(account)s on %(date)s by %(user)s: %(reason)s",
            move=move.name,
            amount=self.currency_id.format(amount),
            account=self.account_id.display_name,
            date=format_date(self.env, self.date),
            user=self.env.user.name,
            reason=self.reason,
        )
        move.message_post(body=message)
        move.commercial_partner_id.message_post(body=message)
        return entry
