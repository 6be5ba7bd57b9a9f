from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditCollectionStrategy(models.Model):
    """An ordered list of collection stages, applied to a customer's invoices by the daily run."""

    _name = "credit.collection.strategy"
    _description = "Collection Strategy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    stage_ids = fields.One2many("credit.collection.stage", "strategy_id", string="Stages", copy=True)
    stage_count = fields.Integer(compute="_compute_stage_count")
    note = fields.Text(translate=True)
    send_mode = fields.Selection(
        [("auto", "Send automatically"), ("review", "Prepare for review")],
        string="Reminders",
        default="auto",
        required=True,
        tracking=True,
        help="Prepare for review: the daily run prepares each customer's email, SMS and letter of a stage in a "
        "review batch (Collections ▸ Review Batches); the stage applies (message, activity, hold, handover, "
        "fee) when a collector sends it.",
    )

    @api.depends("stage_ids")
    def _compute_stage_count(self):
        for strategy in self:
            strategy.stage_count = len(strategy.stage_ids)

    @api.constrains("stage_ids")
    def _check_stage_offsets(self):
        self.stage_ids._check_offsets_increasing()


class CreditCollectionStage(models.Model):
    """One step of a strategy: when it falls due (days from the invoice due date) and what it does."""

    _name = "credit.collection.stage"
    _description = "Collection Stage"
    _order = "strategy_id, sequence, offset_days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    strategy_id = fields.Many2one("credit.collection.strategy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="strategy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(default=10)
    offset_days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="When the stage falls due: days after the invoice due date (negative: before it, for "
        "friendly pre-due reminders). Offsets must increase strictly along the stages.",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        help="The stage applies only to invoices whose open amount (company currency) reaches this.",
    )
    # -- email
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "res.partner")],
        help="One email per customer and stage, listing every invoice of the customer reaching the stage.",
    )
    email_intro = fields.Text(translate=True, help="The opening paragraph of the email (the template prints it).")
    attach_invoices = fields.Boolean(string="Attach Invoice PDFs")
    email_fallback = fields.Selection(
        [("letter", "Letter"), ("call", "Phone call"), ("none", "Nothing")],
        string="Without Email",
        default="letter",
        required=True,
        help="What replaces the email for a customer without an email address (the letter uses the "
        "letter template, else the email template). The stage's other actions happen anyway.",
    )
    # -- letter
    letter_template_id = fields.Many2one(
        "mail.template",
        domain=[("model", "=", "res.partner")],
        help="One letter per customer and stage (PDF on the company letterhead), listing its invoices "
        "reaching the stage; the run adds it to the letters to print.",
    )
    # -- SMS
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "res.partner")],
        help="One short text per customer and stage: `total` (the amount due, formatted) and "
        "`payment_url` (the customer's link to its oldest invoice online) are given to the template.",
    )
    sms_fallback = fields.Selection(
        [("call", "Phone call"), ("letter", "Letter"), ("none", "Nothing")],
        string="Without Mobile",
        default="call",
        required=True,
        help="What replaces the SMS for a customer without a mobile or phone number.",
    )
    # -- phone call
    phone_call = fields.Boolean(
        help="A call activity for the customer's collector (without one: see Assign to) with the call script and "
        "the figures.",
    )
    call_script = fields.Html(translate=True, help="What the collector says; the invoices and total follow it.")
    # -- activity
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity")
    activity_summary = fields.Char(translate=True)
    activity_note = fields.Html(translate=True)
    activity_deadline_days = fields.Integer(string="Activity Deadline (days)", default=0)
    activity_user_type = fields.Selection(
        [("collector", "Collector"), ("salesperson", "Salesperson"), ("user", "Named user")],
        string="Assign to",
        default="collector",
    )
    activity_user_id = fields.Many2one("res.users", help="The named user, and the fallback when the customer has none.")
    # -- stop supply, legal
    credit_hold = fields.Boolean(string="Put on Credit Hold")
    legal_handover = fields.Boolean(string="Hand Over to Legal / Agency")
    legal_partner_id = fields.Many2one("res.partner", string="Legal Party / Agency")
    # -- late fee
    fee_type = fields.Selection(
        [("none", "None"), ("fixed", "Fixed amount"), ("interest", "Annual interest")],
        string="Late Fee",
        default="none",
        required=True,
    )
    fee_amount = fields.Monetary(string="Fixed Fee", currency_field="currency_id")
    fee_rate = fields.Float(
        string="Annual Interest (%)", help="Interest = open amount × rate / 100 × days past due / 365."
    )
    action_summary = fields.Char(compute="_compute_action_summary", string="Actions")

    @api.depends(
        "mail_template_id",
        "letter_template_id",
        "sms_template_id",
        "phone_call",
        "activity_type_id",
        "credit_hold",
        "legal_handover",
        "fee_type",
    )
    def _compute_action_summary(self):
        for stage in self:
            stage.action_summary = ", ".join(stage._action_labels())

    def _action_labels(self):
        self.ensure_one()
        labels = []
        if self.mail_template_id:
            labels.append(self.env._("email"))
        if self.letter_template_id:
            labels.append(self.env._("letter"))
        if self.sms_template_id:
            labels.append(self.env._("SMS"))
        if self.phone_call:
            labels.append(self.env._("call"))
        if self.activity_type_id:
            labels.append(self.env._("activity: %(type)s", type=self.activity_type_id.name))
        if self.credit_hold:
            labels.append(self.env._("credit hold"))
        if self.legal_handover:
            labels.append(self.env._("legal handover"))
        if self.fee_type != "none":
            labels.append(self.env._("late fee"))
        return labels

    @api.constrains("offset_days", "sequence", "strategy_id")
    def _check_offsets_increasing(self):
        for strategy in self.strategy_id:
            stages = strategy.stage_ids.sorted(lambda s: (s.sequence, s.id))
            for previous, stage in pairwise(stages):
                if stage.offset_days <= previous.offset_days:
                    raise ValidationError(
                        self.env._(
                            "Strategy %(strategy)s: the stage %(stage)s (%(offset)s days) must come strictly "
                            "after %(previous)s (%(previous_offset)s days). Order the stages by increasing "
                            "days from the due date, each with its own offset.",
                            strategy=strategy.name,
                            stage=stage.name,
                            offset=stage.offset_days,
                            previous=previous.name,
                            previous_offset=previous.offset_days,
                        )
                    )

    @api.constrains("min_amount", "fee_type", "fee_amount", "fee_rate", "activity_user_type", "activity_user_id")
    def _check_values(self):
        for stage in self:
            if stage.min_amount < 0 or stage.fee_amount < 0 or stage.fee_rate < 0:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s: the minimum amount (%(min)s), fixed fee (%(fee)s) and interest rate "
                        "(%(rate)s %%) cannot be negative.",
                        stage=stage.name,
                        min=stage.min_amount,
                        fee=stage.fee_amount,
                        rate=stage.fee_rate,
                    )
                )
            if (stage.fee_type == "fixed" and not stage.fee_amount) or (
                stage.fee_type == "interest" and not stage.fee_rate
            ):
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s charges a late fee: set the fixed amount or the annual interest rate.",
                        stage=stage.name,
                    )
                )
            if stage.activity_type_id and stage.activity_user_type == "user" and not stage.activity_user_id:
                raise ValidationError(
                    self.env._("Stage %(stage)s: choose the user who receives the activity.", stage=stage.name)
                )
