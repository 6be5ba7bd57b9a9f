from odoo import fields, models


class CreditCollectionHistory(models.Model):
    """One row per invoice and stage applied: the audit trail of the chase, and the guard that makes
    the daily run idempotent (a stage is never applied twice to an invoice: unique index)."""

    _name = "credit.collection.history"
    _description = "Collection Stage History"
    _order = "date desc, id desc"
    _rec_name = "stage_id"

    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    stage_id = fields.Many2one("credit.collection.stage", required=True, ondelete="restrict")
    strategy_id = fields.Many2one(related="stage_id.strategy_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    actions = fields.Char(string="Actions Done")
    trigger = fields.Selection(
        [
            ("schedule", "Schedule"),
            ("broken_promise", "Broken promise"),
            ("manual", "Manual"),
            ("broken_plan", "Broken payment plan"),
        ],
        default="schedule",
        required=True,
    )
    mail_message_id = fields.Many2one("mail.message", string="Email", ondelete="set null")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    sms_message_id = fields.Many2one("mail.message", string="SMS", ondelete="set null")
    letter_id = fields.Many2one("credit.collection.letter", ondelete="set null")
    call_activity_id = fields.Many2one("mail.activity", string="Call", ondelete="set null")
    no_email = fields.Boolean(
        help="The stage's email could not reach the customer: no email address (its fallback applied).",
    )
    no_mobile = fields.Boolean(help="The stage's SMS could not reach the customer: no mobile or phone number.")
    fee_move_id = fields.Many2one("account.move", string="Late Fee Invoice", ondelete="set null")
    fee_amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "move_stage_unique",
            "UNIQUE(move_id, stage_id)",
            "A collection stage is applied only once to an invoice.",
        ),
    ]
