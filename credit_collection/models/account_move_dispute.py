"""Disputes, promises and write-off reversal on a customer invoice: the collector's actions."""

from datetime import timedelta

from odoo import Command, fields, models
from odoo.exceptions import AccessError, UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------ disputes
    def _collection_check_collector(self):
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_collector")):
            raise AccessError(self.env._("Only collectors and credit staff record disputes and promises."))

    def action_collection_dispute(self, reason, note=""):
        """Mark customer invoices disputed: they leave the chase (no stage, no email, no fee)."""
        self._collection_check_collector()
        if not reason:
            raise UserError(self.env._("Give the reason of the dispute."))
        for move in self:
            if move.move_type != "out_invoice" or move.state != "posted":
                raise UserError(
                    self.env._("Only posted customer invoices can be disputed (got %(move)s).", move=move.display_name)
                )
        self.sudo().write(
            {
                "collection_dispute": True,
                "collection_dispute_reason": reason,
                "collection_dispute_note": note,
                "collection_dispute_date": fields.Date.context_today(self),
                "collection_next_stage_id": False,
                "collection_next_date": False,
            }
        )
        self._collection_refresh()
        return True

    def _collection_refresh(self):
        """The customers' next actions follow a promise, a dispute or its resolution at once."""
        run = self.env["credit.collection.run"]
        for company in self.company_id:
            moves = self.filtered(lambda m, company=company: m.company_id == company)
            run._collection_refresh(moves.commercial_partner_id, company)

    def action_collection_resolve_dispute(self):
        self._collection_check_collector()
        disputed = self.filtered("collection_dispute")
        disputed.sudo().write({"collection_dispute": False})
        for move in disputed:
            move.message_post(body=self.env._("Dispute resolved: the invoice is chased again."))
        disputed._collection_refresh()
        return True

    def action_collection_open_dispute_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Invoices Disputed"),
            "res_model": "credit.collection.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_ids": [Command.set(self.ids)],
                "default_partner_id": self.commercial_partner_id[:1].id,
            },
        }

    def action_collection_open_promise(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Promise to Pay"),
            "res_model": "credit.collection.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_id": self.id,
                "default_amount": self.amount_residual_signed,
                "default_date": fields.Date.context_today(self) + timedelta(days=7),
            },
        }

    # ------------------------------------------------------------------ write-off reversal
    def action_collection_reverse_writeoff(self):
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers reverse write-offs."))
        for move in self:
            entry = move.collection_writeoff_move_id
            if not entry:
                raise UserError(self.env._("%(move)s has not been written off.", move=move.name))
            lines = entry.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
            lines.remove_move_reconcile()
            entry._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": self.env._("Reversal of %(entry)s", entry=entry.name),
                    }
                ],
                cancel=True,
            )
            move.sudo().collection_writeoff_move_id = False
            message = self.env._(
                "Write-off %(entry)s of %(move)s reversed by %(user)s: the invoice is open again.",
                entry=entry.name,
                move=move.name,
                user=self.env.user.name,
            )
            move.message_post(body=message)
            move.commercial_partner_id.message_post(body=message)
        return True
