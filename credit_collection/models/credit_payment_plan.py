from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

# plans whose invoices are taken: an invoice is in one of them at most
OPEN_PLAN_STATES = ("draft", "to_approve", "active")


class CreditPaymentPlan(models.Model):
    """A payment plan (instalments) agreed with a customer for some of its open invoices. While it
    runs, the chase of these invoices waits; payments on them are allocated to the instalments,
    oldest first; the daily run marks each instalment kept, late or broken, and a broken plan
    escalates its invoices like a broken promise."""

    _name = "credit.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "credit_payment_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('amount_residual', '>', 0), ('collection_dispute', '=', False)]",
    )
    line_ids = fields.One2many("credit.payment.plan.line", "plan_id", string="Instalments", copy=True)
    covered_amount = fields.Monetary(
        readonly=True, help="The open amount of the covered invoices when they were put on the plan."
    )
    fee_amount = fields.Monetary(
        string="Interest / Fee",
        help="Added to the schedule as its own line and invoiced (late fee product) when the plan starts.",
    )
    fee_move_id = fields.Many2one("account.move", string="Fee Invoice", readonly=True, copy=False)
    down_payment = fields.Monetary(help="Paid first, on the down payment date.")
    down_payment_date = fields.Date(default=fields.Date.context_today)
    instalment_count = fields.Integer(string="Number of Instalments", default=3)
    first_date = fields.Date(
        string="First Instalment", default=lambda self: fields.Date.context_today(self) + relativedelta(months=1)
    )
    frequency = fields.Selection([("weekly", "Weekly"), ("monthly", "Monthly")], default="monthly", required=True)
    grace_days = fields.Integer(
        default=lambda self: self.env.company.collection_promise_grace_days,
        help="An instalment paid up to these days after its date is late, not broken.",
    )
    note = fields.Text(string="Notes")
    amount_total = fields.Monetary(string="Total", compute="_compute_amounts")
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amounts")
    amount_due = fields.Monetary(string="Still Due", compute="_compute_amounts")
    next_line_id = fields.Many2one("credit.payment.plan.line", string="Next Instalment", compute="_compute_amounts")
    next_date = fields.Date(string="Next Instalment On", compute="_compute_amounts")
    next_amount = fields.Monetary(string="Next Instalment Amount", compute="_compute_amounts")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "Waiting Approval"),
            ("active", "Running"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    approval_required = fields.Boolean(compute="_compute_approval_required")
    user_id = fields.Many2one(
        "res.users", string="Proposed by", default=lambda self: self.env.user, readonly=True, copy=False
    )
    approved_by_id = fields.Many2one("res.users", string="Approved by", readonly=True, tracking=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    broken_date = fields.Date(readonly=True, copy=False)
    escalated = fields.Boolean(readonly=True, copy=False, help="The broken plan has made its invoices escalate.")

    # written only by the buttons and the daily run (as superuser, after their own checks)
    _PROTECTED = frozenset(
        {
            "state",
            "user_id",
            "approved_by_id",
            "approved_date",
            "broken_date",
            "escalated",
            "covered_amount",
            "fee_move_id",
        }
    )
    # what the customer agreed to: frozen once the plan runs
    _TERMS = frozenset({"partner_id", "company_id", "move_ids", "line_ids", "fee_amount", "grace_days"})

    # ------------------------------------------------------------------ computes
    def _allocation(self):
        """{line: amount paid} for this plan: what the covered invoices' open amounts came down by
        since the plan covered them (payments, early or partial, credit notes), given to the
        instalments oldest first. Exact to the cent in company currency."""
        self.ensure_one()
        currency = self.currency_id
        lines = self.line_ids.sorted(lambda line: (line.date or fields.Date.today(), line.sequence, line.id))
        total = sum(lines.mapped("amount"))
        outstanding = sum(self.move_ids.mapped("amount_residual_signed"))
        if not self.fee_move_id:
            outstanding += self.fee_amount
        paid = currency.round(min(max(total - outstanding, 0.0), total))
        allocation = {}
        for line in lines:
            part = min(line.amount, paid) if currency.compare_amounts(paid, 0.0) > 0 else 0.0
            allocation[line] = currency.round(part)
            paid = currency.round(paid - part)
        return allocation

    @api.depends("line_ids.amount", "line_ids.date", "move_ids.amount_residual_signed", "fee_amount", "fee_move_id")
    def _compute_amounts(self):
        for plan in self:
            allocation = plan._allocation()
            plan.amount_total = sum(plan.line_ids.mapped("amount"))
            plan.amount_paid = sum(allocation.values())
            plan.amount_due = plan.currency_id.round(plan.amount_total - plan.amount_paid)
            upcoming = [
                line for line, paid in allocation.items() if plan.currency_id.compare_amounts(line.amount, paid)
            ]
            nxt = upcoming[0] if upcoming else self.env["credit.payment.plan.line"]
            plan.next_line_id = nxt
            plan.next_date = nxt.date
            plan.next_amount = nxt and plan.currency_id.round(nxt.amount - allocation[nxt])

    @api.depends("line_ids.amount", "company_id", "fee_amount")
    def _compute_approval_required(self):
        for plan in self:
            plan.approval_required = plan._approval_required()

    def _approval_required(self):
        """Above the company's thresholds (total amount or number of instalments) a credit manager
        approves the plan; 0 means no threshold on that measure."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id
        total = sum(self.line_ids.mapped("amount"))
        over_amount = company.payment_plan_approval_amount and (
            currency.compare_amounts(total, company.payment_plan_approval_amount) > 0
        )
        over_count = company.payment_plan_approval_instalments and (
            len(self.line_ids) > company.payment_plan_approval_instalments
        )
        return bool(over_amount or over_count)

    # ------------------------------------------------------------------ generation
    def _prepare_instalments(self):
        """The schedule generated evenly: the down payment, then `instalment_count` equal
        instalments of the rest (the last one takes the cents left), then the interest/fee line."""
        self.ensure_one()
        currency = self.currency_id or self.env.company.currency_id
        residual = sum(self.move_ids.mapped("amount_residual_signed"))
        lines = []
        down = currency.round(self.down_payment or 0.0)
        if currency.compare_amounts(down, 0.0) > 0:
            lines.append(
                {"name": self.env._("Down payment"), "date": self.down_payment_date, "amount": down, "kind": "down"}
            )
        rest = currency.round(residual - down)
        count = max(self.instalment_count, 0)
        first = self.first_date or fields.Date.context_today(self)
        step = relativedelta(weeks=1) if self.frequency == "weekly" else relativedelta(months=1)
        each = currency.round(rest / count) if count else 0.0
        for index in range(count):
            amount = each if index < count - 1 else currency.round(rest - each * (count - 1))
            lines.append(
                {
                    "name": self.env._("Instalment %(number)s of %(count)s", number=index + 1, count=count),
                    "date": first + step * index,
                    "amount": amount,
                    "kind": "instalment",
                }
            )
        fee = currency.round(self.fee_amount or 0.0)
        if currency.compare_amounts(fee, 0.0) > 0:
            last = lines[-1]["date"] if lines else first
            lines.append({"name": self.env._("Interest / fee"), "date": last, "amount": fee, "kind": "fee"})
        return [dict(line, sequence=10 * (index + 1)) for index, line in enumerate(lines)]

    @api.onchange(
        "move_ids", "down_payment", "down_payment_date", "instalment_count", "first_date", "frequency", "fee_amount"
    )
    def _onchange_generate_instalments(self):
        if self.state not in ("draft", "to_approve", False):
            return
        self.line_ids = [Command.clear()] + [Command.create(vals) for vals in self._prepare_instalments()]

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        # the customer's open undisputed invoices not yet on a plan, oldest first
        if self.partner_id and not self.move_ids:
            self.move_ids = self._default_moves(self.partner_id, self.company_id or self.env.company)

    @api.model
    def _default_moves(self, partner, company):
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("collection_dispute", "=", False),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
            ],
            order="invoice_date_due, id",
        )
        taken = self.search([("move_ids", "in", moves.ids), ("state", "in", OPEN_PLAN_STATES)]).move_ids
        return moves - taken

    # ------------------------------------------------------------------ create / write
    @api.model_create_multi
    def create(self, vals_list):
        # collectors write instalments only through the plan: checked here, then written as superuser
        self._check_collector()
        for vals in vals_list:
            for name in self._PROTECTED:
                vals.pop(name, None)
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        line_commands = [self._clean_line_commands(vals.pop("line_ids", None)) for vals in vals_list]
        # one savepoint: a plan refused by its checks leaves nothing behind, instalments included
        with self.env.cr.savepoint():
            plans = super().create(vals_list)
            for plan, commands in zip(plans, line_commands, strict=True):
                plan.sudo().write(
                    {
                        "name": self.env["ir.sequence"].sudo().next_by_code("credit.payment.plan") or "/",
                        "covered_amount": sum(plan.move_ids.mapped("amount_residual_signed")),
                    }
                )
                commands = commands or [Command.create(vals) for vals in plan._prepare_instalments()]
                plan.sudo().write({"line_ids": commands})
            plans._check_plan()
        return plans

    @api.model
    def _clean_line_commands(self, commands):
        """Instalment commands without the fields only the run writes."""
        if not commands:
            return commands
        cleaned = []
        for command in commands:
            if isinstance(command, (list, tuple)) and len(command) == 3 and isinstance(command[2], dict):
                values = {k: v for k, v in command[2].items() if k not in ("state", "paid_date", "plan_id")}
                command = (command[0], command[1], values)
            cleaned.append(command)
        return cleaned

    def write(self, vals):
        protected = self._PROTECTED & set(vals)
        if protected and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of a payment plan change only through its buttons and the daily collection run.",
                    fields=", ".join(sorted(self._fields[name].string for name in protected)),
                )
            )
        terms = self._TERMS & set(vals)
        if not terms or self.env.su:
            # the buttons and the run write as superuser after their own checks
            return super().write(vals)
        self._check_collector()
        for plan in self:
            if plan.state not in ("draft", "to_approve"):
                raise UserError(
                    self.env._(
                        "%(plan)s is %(state)s: its invoices and schedule cannot change. Cancel it and propose a "
                        "new plan.",
                        plan=plan.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[plan.state],
                    )
                )
        vals = dict(vals)
        line_commands = self._clean_line_commands(vals.pop("line_ids", None))
        with self.env.cr.savepoint():
            res = super().write(vals)
            if "move_ids" in vals:
                for plan in self:
                    plan.sudo().write({"covered_amount": sum(plan.move_ids.mapped("amount_residual_signed"))})
            if line_commands is not None:
                self.sudo().write({"line_ids": line_commands})
            self._check_plan()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        started = self.filtered(lambda plan: plan.state not in ("draft", "cancel"))
        if started:
            raise UserError(
                self.env._(
                    "%(plans)s went beyond draft: cancel them instead of deleting them (the history stays).",
                    plans=", ".join(started.mapped("name")),
                )
            )

    def _check_collector(self):
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_collector")):
            raise AccessError(self.env._("Only collectors and credit staff propose payment plans."))

    def _lock_customers(self):
        """Serialize the plans of one customer like its order confirmations (the same lock row):
        two plans proposed at once over the same invoice would each miss the other in the "already
        on a plan" search. The second writer of the row gets a serialization failure, Odoo retries
        it on a fresh snapshot, and there the first plan is visible and the check refuses it. One
        statement per company; a plan covers invoices of its own customer and company only."""
        engine = self.env["credit.exposure"]
        for company in self.company_id:
            engine._lock_customers(self.filtered(lambda p, c=company: p.company_id == c).partner_id, company)
