from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

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

    def _check_plan(self):
        """Refuse a plan that does not add up, with the numbers (the caller's savepoint then drops
        everything the create or write did)."""
        today = fields.Date.context_today(self)
        self._lock_customers()
        for plan in self:
            currency = plan.currency_id
            if not plan.move_ids:
                raise UserError(
                    self.env._(
                        "Select the open invoices of %(customer)s the plan covers.", customer=plan.partner_id.name
                    )
                )
            partner = plan.partner_id.commercial_partner_id
            for move in plan.move_ids:
                if (
                    move.move_type != "out_invoice"
                    or move.state != "posted"
                    or move.commercial_partner_id != partner
                    or move.company_id != plan.company_id
                    or currency.compare_amounts(move.amount_residual_signed, 0.0) <= 0
                ):
                    raise UserError(
                        self.env._(
                            "%(move)s is not an open posted invoice of %(customer)s in %(company)s: a plan covers only "
                            "those.",
                            move=move.display_name,
                            customer=partner.name,
                            company=plan.company_id.name,
                        )
                    )
                if move.collection_dispute:
                    raise UserError(
                        self.env._(
                            "%(move)s is disputed: resolve the dispute before putting it on a payment plan.",
                            move=move.name,
                        )
                    )
            others = self.search(
                [("id", "!=", plan.id), ("move_ids", "in", plan.move_ids.ids), ("state", "in", OPEN_PLAN_STATES)]
            )
            if others:
                taken = others.move_ids & plan.move_ids
                raise UserError(
                    self.env._(
                        "%(moves)s already on plan %(plan)s: cancel that plan or leave the invoice out.",
                        moves=", ".join(taken.mapped("name")),
                        plan=others[0].name,
                    )
                )
            if not plan.line_ids:
                raise UserError(self.env._("A payment plan needs at least one instalment."))
            for line in plan.line_ids:
                if currency.compare_amounts(line.amount, 0.0) <= 0:
                    raise UserError(
                        self.env._(
                            "Instalment %(name)s is %(amount)s: every instalment must be positive.",
                            name=line.name,
                            amount=currency.format(line.amount),
                        )
                    )
                if not line.date or (plan.state in ("draft", "to_approve") and line.date < today):
                    raise UserError(
                        self.env._(
                            "Instalment %(name)s is dated %(date)s, in the past (today is %(today)s): date it from "
                            "today on.",
                            name=line.name,
                            date=format_date(self.env, line.date) if line.date else "-",
                            today=format_date(self.env, today),
                        )
                    )
            expected = currency.round(plan.covered_amount + plan.fee_amount)
            total = currency.round(sum(plan.line_ids.mapped("amount")))
            if currency.compare_amounts(total, expected):
                raise UserError(
                    self.env._(
                        "The instalments add up to %(total)s but the plan must collect %(expected)s (open amount "
                        "%(residual)s + interest/fee %(fee)s): difference %(diff)s. Adjust the instalments.",
                        total=currency.format(total),
                        expected=currency.format(expected),
                        residual=currency.format(plan.covered_amount),
                        fee=currency.format(plan.fee_amount),
                        diff=currency.format(total - expected),
                    )
                )

    # ------------------------------------------------------------------ buttons
    def action_generate_instalments(self):
        """Replace the schedule by the even one from the down payment, count, first date and frequency."""
        for plan in self:
            plan.write({"line_ids": [Command.clear()] + [Command.create(v) for v in plan._prepare_instalments()]})
        return True

    def action_propose(self):
        """The collector proposes the plan: above the company's thresholds it waits for a credit
        manager; otherwise it starts at once."""
        self._check_collector()
        for plan in self.filtered(lambda p: p.state == "draft"):
            plan._check_plan()
            if plan._approval_required():
                plan.sudo().write({"state": "to_approve"})
                plan._notify_approvers()
            else:
                plan._start()
        return True

    def action_approve(self):
        """A credit manager approves, never the collector who proposed the plan."""
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers approve payment plans."))
        for plan in self:
            if plan.state != "to_approve":
                raise UserError(self.env._("%(plan)s is not waiting for approval.", plan=plan.name))
            if plan.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "You proposed %(plan)s: another credit manager approves it (segregation of duties).",
                        plan=plan.name,
                    )
                )
            plan._check_plan()
            plan.sudo().write({"approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()})
            plan.activity_feedback(["mail.mail_activity_data_todo"])
            plan._start()
        return True

    def action_cancel(self):
        self._check_collector()
        cancelled = self.filtered(lambda p: p.state in OPEN_PLAN_STATES)
        cancelled.sudo().write({"state": "cancel"})
        for plan in cancelled:
            plan.message_post(body=self.env._("Plan cancelled: its invoices are chased again."))
        cancelled._collection_refresh()
        return True

    def action_draft(self):
        self._check_collector()
        self.filtered(lambda p: p.state == "cancel").sudo().write({"state": "draft", "approved_by_id": False})
        return True

    def _notify_approvers(self):
        managers = (
            self.env.ref("credit_collection.group_credit_manager")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and self.company_id in u.company_ids)
        )
        for plan in self:
            approver = (managers - plan.user_id - self.env.ref("base.user_root"))[:1]
            if approver:
                plan.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Approve payment plan %(plan)s", plan=plan.name),
                    user_id=approver.id,
                )

    def _start(self):
        """Running from now: the fee is invoiced, the covered invoices' chase pauses."""
        for plan in self:
            vals = {"state": "active"}
            fee = plan.currency_id.round(plan.fee_amount)
            if plan.currency_id.compare_amounts(fee, 0.0) > 0 and not plan.fee_move_id:
                vals["fee_move_id"] = plan._invoice_fee().id
            plan.sudo().write(vals)
            if plan.fee_move_id:
                # the fee invoice is paid under the plan like the invoices it covers
                plan.sudo().write({"move_ids": [Command.link(plan.fee_move_id.id)]})
            plan.message_post(
                body=self.env._(
                    "Plan running: %(count)s instalments, %(total)s; the chase of %(moves)s waits.",
                    count=len(plan.line_ids),
                    total=plan.currency_id.format(plan.amount_total),
                    moves=", ".join(plan.move_ids.mapped("name")),
                )
            )
        self._collection_refresh()
        return True

    def _invoice_fee(self):
        self.ensure_one()
        company = self.company_id
        product = company.collection_fee_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set the late fee product in the Credit & Collection settings of %(company)s: the plan's "
                    "interest/fee of %(fee)s is invoiced with it.",
                    company=company.name,
                    fee=self.currency_id.format(self.fee_amount),
                )
            )
        today = fields.Date.context_today(self)
        last = max(self.line_ids.mapped("date"))
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "invoice_date": today,
                    "invoice_date_due": max(last, today),
                    "invoice_payment_term_id": False,
                    "invoice_origin": self.name,
                    "collection_is_fee": True,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": self.env._("Interest / fee of payment plan %(plan)s", plan=self.name),
                                "quantity": 1,
                                "price_unit": self.fee_amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _collection_refresh(self):
        for company in self.company_id:
            self.env["credit.collection.run"]._collection_refresh(
                self.filtered(lambda p, company=company: p.company_id == company).partner_id, company
            )

    def action_print(self):
        return self.env.ref("credit_collection.action_report_payment_plan").report_action(self)

    def action_send(self):
        """Open the composer with the agreement attached, in the customer's language."""
        self.ensure_one()
        template = self.env.ref("credit_collection.mail_template_payment_plan")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }

    # ------------------------------------------------------------------ the daily run
    def _paid_date(self, today):
        """The date of the last reconciliation on the covered invoices (up to today): the day the
        money that completed an instalment arrived."""
        lines = self.move_ids.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        dates = [d for d in (lines.matched_credit_ids.mapped("max_date")) if d and d <= today]
        return max(dates) if dates else today

    @api.model
    def _collection_update_states(self, company, today):
        """Mark each instalment of the running plans kept (paid by its date), late (paid or still
        unpaid within the grace days) or broken (unpaid past them). A broken instalment breaks the
        plan: the run escalates its invoices, the broken-promise count goes up, the collector is told,
        and the customer is put on credit hold when the company says so. Returns (kept, broken)."""
        plans = self.search([("company_id", "=", company.id), ("state", "=", "active")])
        kept, broken = self.browse(), self.browse()
        for plan in plans:
            currency = plan.currency_id
            allocation = plan._allocation()
            paid_date = None
            plan_broken = False
            for line, paid in allocation.items():
                if line.state in ("kept", "paid_late"):
                    continue
                if currency.compare_amounts(paid, line.amount) >= 0:
                    paid_date = paid_date or plan._paid_date(today)
                    line.write({"state": "kept" if paid_date <= line.date else "paid_late", "paid_date": paid_date})
                else:
                    if today > line.date + timedelta(days=plan.grace_days):
                        state = "broken"
                    elif today > line.date:
                        state = "late"
                    else:
                        state = "pending"
                    plan_broken = plan_broken or state == "broken"
                    if line.state != state:  # most nights nothing changes: no write
                        line.write({"state": state})
            if plan_broken:
                broken |= plan
            elif all(line.state in ("kept", "paid_late") for line in plan.line_ids):
                kept |= plan
        kept.write({"state": "kept"})
        for plan in kept:
            plan.message_post(body=self.env._("Plan kept: every instalment is paid."))
        if broken:
            broken.write({"state": "broken", "broken_date": today})
            broken._on_broken(company)
        return kept, broken

    def _on_broken(self, company):
        for partner in self.partner_id:
            partner = partner.commercial_partner_id
            count = len(self.filtered(lambda p, partner=partner: p.partner_id.commercial_partner_id == partner))
            partner._collection_add_broken_promises(count, company)
        for plan in self:
            late = plan.line_ids.filtered(lambda line: line.state == "broken")
            message = self.env._(
                "Payment plan %(plan)s broken: %(lines)s unpaid after the grace days; its invoices escalate.",
                plan=plan.name,
                lines=", ".join(
                    f"{line.name} ({format_date(self.env, line.date)}, {plan.currency_id.format(line.amount)})"
                    for line in late
                ),
            )
            plan.message_post(body=message)
            partner = plan.partner_id.commercial_partner_id.with_company(company)
            collector = partner.credit_collector_id or plan.user_id
            if collector:
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Payment plan %(plan)s broken", plan=plan.name),
                    note=message,
                    user_id=collector.id,
                )
            if company.payment_plan_broken_hold and not partner.credit_hold:
                env_company_lang = self.with_context(lang=company.partner_id.lang or self.env.lang).env
                partner.write(
                    {
                        "credit_hold": True,
                        "credit_hold_reason": env_company_lang._("Payment plan %(plan)s broken", plan=plan.name)[:250],
                    }
                )

    @api.model
    def _collection_run_moves(self, company):
        """For the collection run: {invoice id: pause-until date} of the running plans (their last
        instalment + grace days) and {invoice id: plan id} of the broken plans not escalated yet."""
        plans = self.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "=", "active"),
                "&",
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        )
        paused, escalate = {}, {}
        for plan in plans:
            if plan.state == "active":
                until = max(plan.line_ids.mapped("date")) + timedelta(days=plan.grace_days)
                for move in plan.move_ids:
                    paused[move.id] = max(until, paused.get(move.id, until))
            else:
                for move in plan.move_ids:
                    escalate[move.id] = plan.id
        return paused, escalate


class CreditPaymentPlanLine(models.Model):
    _name = "credit.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one("credit.payment.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Customer")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description", required=True, default=lambda self: self.env._("Instalment"))
    kind = fields.Selection(
        [("down", "Down payment"), ("instalment", "Instalment"), ("fee", "Interest / fee")],
        default="instalment",
        required=True,
    )
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    paid_amount = fields.Monetary(string="Paid", compute="_compute_paid")
    residual = fields.Monetary(string="Still Due", compute="_compute_paid")
    state = fields.Selection(
        [
            ("pending", "To Pay"),
            ("late", "Late"),
            ("kept", "Kept"),
            ("paid_late", "Paid Late"),
            ("broken", "Broken"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    paid_date = fields.Date(readonly=True)

    @api.depends("amount", "date", "plan_id.move_ids.amount_residual_signed", "plan_id.line_ids.amount")
    def _compute_paid(self):
        for plan in self.plan_id:
            allocation = plan._allocation()
            for line in self.filtered(lambda line, plan=plan: line.plan_id == plan):
                line.paid_amount = allocation.get(line, 0.0)
                line.residual = line.currency_id.round(line.amount - line.paid_amount)
        for line in self.filtered(lambda line: not line.plan_id):
            line.paid_amount, line.residual = 0.0, line.amount
