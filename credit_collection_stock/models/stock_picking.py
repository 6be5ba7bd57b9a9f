"""Stop supply at the warehouse: an outgoing delivery (the step that leaves the warehouse) of a
customer the credit rules stop cannot be validated. Returns, receipts and internal moves (the pick
step of a pick -> ship route included) are never checked."""

from dataclasses import replace

from odoo import api, fields, models
from odoo.addons.credit_collection.models.credit_verdict import CreditVerdict
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # The banner and the list filter read the customer's hold only (one query), pooled like the
    # exposure: a hold set in any company of the delivery's group (its root and the root's branches)
    # stops the delivery. The validation itself runs the full credit check (pooled hold, limit, overdue).
    credit_blocked = fields.Boolean(
        compute="_compute_credit_blocked",
        search="_search_credit_blocked",
        help="The customer is on credit hold: this delivery cannot be validated until the hold is lifted.",
    )
    credit_hold_reason = fields.Char(compute="_compute_credit_blocked")
    # The form only (the full check: one exposure statement): what the credit rules say now, and the
    # credit approval requested from a delivery of the order, with its decision.
    credit_check_message = fields.Text(string="Credit Check", compute="_compute_credit_approval")
    credit_approval_requestable = fields.Boolean(compute="_compute_credit_approval")
    credit_approval_state = fields.Selection(
        [("pending", "Pending"), ("approved", "Approved"), ("expired", "Expired"), ("rejected", "Rejected")],
        string="Credit Approval Status",
        compute="_compute_credit_approval",
    )
    credit_approval_summary = fields.Char(string="Credit Approval", compute="_compute_credit_approval")

    def _credit_open_deliveries(self):
        return self.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.partner_id and p.state not in ("done", "cancel")
        )

    @api.model
    def _credit_pooled_holds(self, partners, companies):
        """{(commercial partner id, company id): reason} of the customers on hold in any company of
        each company's pool (its root and the root's branches), in one statement. The reason reads
        as the exposure's: the company's own reason first, another company's prefixed with its name."""
        if not partners or not companies:
            return {}
        self.env["res.partner"].flush_model(["credit_hold", "credit_hold_reason", "commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, c.id,
                       STRING_AGG(CASE WHEN f.id = c.id
                                       THEN COALESCE(NULLIF(p.credit_hold_reason ->> f.id::text, ''), '')
                                       ELSE f.name || COALESCE(
                                           ': ' || NULLIF(p.credit_hold_reason ->> f.id::text, ''), '')
                                  END, '; ' ORDER BY f.id != c.id, f.parent_path)
                  FROM res_partner p
                 CROSS JOIN res_company c
                  JOIN res_company f ON SPLIT_PART(f.parent_path, '/', 1) = SPLIT_PART(c.parent_path, '/', 1)
                 WHERE p.id IN (SELECT commercial_partner_id FROM res_partner WHERE id = ANY(%(partner_ids)s))
                   AND c.id = ANY(%(company_ids)s)
                   AND (p.credit_hold ->> f.id::text)::boolean
                 GROUP BY p.id, c.id
                """,
                partner_ids=partners.ids,
                company_ids=companies.ids,
            )
        )
        return {(pid, cid): reason for pid, cid, reason in self.env.cr.fetchall()}

    @api.depends("partner_id", "picking_type_code", "state", "company_id")
    def _compute_credit_blocked(self):
        self.credit_blocked = False
        self.credit_hold_reason = False
        deliveries = self._credit_open_deliveries()
        holds = self._credit_pooled_holds(deliveries.partner_id._origin, deliveries.company_id._origin)
        for picking in deliveries:
            key = (picking.partner_id.commercial_partner_id.id, picking.company_id.id)
            if key in holds:
                picking.credit_blocked = True
                picking.credit_hold_reason = holds[key] or self.env._("no reason given")

    def _search_credit_blocked(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Credit Blocked can only be searched as set or not set."))
        # customers on hold, per group of companies (the root's id): one statement
        self.env["res.partner"].flush_model(["credit_hold"])
        self.env.cr.execute(
            SQL(
                """
                SELECT SPLIT_PART(f.parent_path, '/', 1)::int, ARRAY_AGG(DISTINCT p.id)
                  FROM res_partner p
                  JOIN res_company f ON (p.credit_hold ->> f.id::text)::boolean
                 GROUP BY 1
                """
            )
        )
        by_root = [
            [("company_id", "child_of", root_id), ("partner_id.commercial_partner_id", "in", partner_ids)]
            for root_id, partner_ids in self.env.cr.fetchall()
        ]
        domain = expression.AND(
            [
                [("picking_type_code", "=", "outgoing")],
                [("state", "not in", ("done", "cancel"))],
                expression.OR(by_root) if by_root else expression.FALSE_DOMAIN,
            ]
        )
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------
    # Enforcement: button, RPC, backorders and immediate transfers all end in _action_done()
    # ------------------------------------------------------------------
    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_delivery_verdicts(self, today):
        """{picking id: (failures, exposure, order, covering approval)} of the deliveries the credit
        rules stop. The rules are the order's own (same engine, figures and messages as at
        confirmation; the order is counted once: the engine leaves it out of the exposure and adds
        its amount). Which rules apply follows the company's "Check credit at" setting; a credit hold
        always applies. Constant queries whatever the history."""
        deliveries = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.partner_id).sudo()
        if not deliveries:
            return {}
        orders = deliveries.sale_id
        verdicts = orders._credit_evaluate(today=today) if orders else {}
        loose = deliveries.filtered(lambda p: not p.sale_id)
        holds = {}
        engine = self.env["credit.exposure"].sudo()
        for company in loose.company_id:
            exposures = engine._get_exposures(
                loose.filtered(lambda p, c=company: p.company_id == c).partner_id, company, today=today
            )
            holds.update({(company.id, pid): exp for exp in exposures.values() for pid in exp.input_partner_ids})
        result = {}
        for picking in deliveries:
            order = picking.sale_id
            if order:
                verdict = verdicts.get(order.id)
                if not verdict:
                    continue
                failures = verdict.failures
                if order.company_id.credit_check_at == "order":
                    failures = [failure for failure in failures if failure[0] == "hold"]
                if not failures:
                    continue
                verdict = replace(verdict, failures=failures)
                approval = order._credit_covering_approval(verdict, today=today)
                result[picking.id] = (failures, verdict, order, approval)
            else:
                exposure = holds.get((picking.company_id.id, picking.partner_id.id))
                if not exposure or not exposure.hold:
                    continue
                # no order: the hold alone, in the order's own words
                verdict = CreditVerdict(exposure=exposure, amount=0.0)
                failures = [order._credit_rule_hold(verdict, today=today)]
                result[picking.id] = (failures, verdict, order, None)
        return result

    def _credit_check_delivery(self):
        """Refuse the validation of deliveries the credit rules stop, unless an approval granted for
        the order covers them (while valid)."""
        today = fields.Date.context_today(self)
        refusals = []
        verdicts = self._credit_delivery_verdicts(today)
        for picking in self:
            if picking.id not in verdicts:
                continue
            failures, verdict, order, approval = verdicts[picking.id]
            if approval:
                picking._credit_note_approval(approval)
                continue
            message = picking._credit_refusal_message(failures, verdict.exposure, order)
            if not self.env.registry.ready:
                # module data validated while the server installs modules (as for orders: see
                # sale.order._credit_note_unchecked_at_install): it passes, with the reasons noted
                picking.message_post(
                    body=self.env._(
                        "Validated by module data during a module installation: the credit check does not apply "
                        "then. It would have refused this delivery:\n%(reasons)s",
                        reasons=message,
                    )
                )
                continue
            refusals.append(message)
        if refusals:
            raise UserError("\n\n".join(refusals))

    def _credit_note_approval(self, approval):
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "Validated over a credit rule under approval %(approval)s of %(order)s (approved by %(manager)s, "
                "valid until %(expiry)s).",
                approval=approval.name,
                order=approval.order_id.name,
                manager=approval.decided_by_id.name,
                expiry=approval.expiry_date,
            )
        )

    def _credit_hold_setter(self, partner):
        """Who put the customer on hold, and when, from the partner's tracking (refusal path only)."""
        field = self.env["ir.model.fields"].sudo()._get("res.partner", "credit_hold")
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", field.id),
                    ("mail_message_id.model", "=", "res.partner"),
                    ("mail_message_id.res_id", "=", partner.id),
                    ("new_value_integer", "=", 1),
                ],
                order="id desc",
                limit=1,
            )
        )
        return tracking.mail_message_id

    def _credit_refusal_message(self, failures, exposure, order):
        self.ensure_one()
        customer = self.env["res.partner"].browse(exposure.partner_id)
        lines = [f"• {msg}" for _code, msg in failures]
        codes = {code for code, _msg in failures}
        if "hold" in codes:
            message = self._credit_hold_setter(customer)
            if message:
                lines.append(
                    self.env._(
                        "The hold was set by %(user)s on %(date)s.",
                        user=message.author_id.name or message.create_uid.name,
                        date=fields.Date.to_string(message.date.date()),
                    )
                )
        if order:
            next_step = self.env._(
                "What you can do: keep the goods in the warehouse and tell the salesperson; a credit manager can "
                "lift the hold or approve a credit approval for %(order)s, or the customer can pay its open "
                "invoices.",
                order=order.name,
            )
            next_step += "\n" + self.env._(
                'To ask for an exception, use "Request Credit Approval" on the delivery: a credit manager decides.'
            )
        else:
            next_step = self.env._(
                "What you can do: keep the goods in the warehouse; a credit manager can lift the hold."
            )
        return self.env._(
            "%(picking)s for %(customer)s cannot be validated: the customer's credit stops the delivery.\n"
            "%(reasons)s\n%(next)s",
            picking=self.name,
            customer=customer.display_name,
            reasons="\n".join(lines),
            next=next_step,
        )

    # ------------------------------------------------------------------
    # Credit approval from a blocked delivery
    # ------------------------------------------------------------------
    def _credit_delivery_approvals(self):
        """{order id: the latest approval requested from a delivery of the order} (sudo: a stock user
        reads the decision on the delivery, not the approval itself)."""
        orders = self.sale_id._origin
        if not orders:
            return {}
        approvals = (
            self.env["credit.approval"]
            .sudo()
            .search([("order_id", "in", orders.ids), ("picking_id", "!=", False)], order="id desc")
        )
        latest = {}
        for approval in approvals:
            latest.setdefault(approval.order_id.id, approval)
        return latest

    def _compute_credit_approval(self):
        self.credit_check_message = False
        self.credit_approval_requestable = False
        self.credit_approval_state = False
        self.credit_approval_summary = False
        deliveries = self._origin._credit_open_deliveries().filtered("sale_id")
        if not deliveries:
            return
        today = fields.Date.context_today(self)
        verdicts = deliveries._credit_delivery_verdicts(today)
        approvals = deliveries._credit_delivery_approvals()
        for picking in self:
            origin = picking._origin
            if origin not in deliveries:
                continue
            found = verdicts.get(origin.id)
            approval = approvals.get(origin.sale_id.id)
            if found:
                failures, _verdict, _order, covering = found
                picking.credit_check_message = "\n".join(msg for _code, msg in failures)
                picking.credit_approval_requestable = not covering and not (approval and approval.state == "pending")
            if approval:
                picking.credit_approval_state = "expired" if approval.is_expired else approval.state
                picking.credit_approval_summary = approval._credit_delivery_summary()

    def action_request_credit_approval(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Credit Approval"),
            "res_model": "credit.approval.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.sale_id.id, "default_picking_id": self.id},
        }

    def request_credit_approval(self, reason):
        """Public entry for RPC: same as the button and its wizard."""
        return self._credit_request_approval(reason).id

    def _credit_request_approval(self, reason):
        """A pending credit approval for the order of this blocked delivery, with the order's figures
        as the delivery sees them. Whoever may work on the delivery may ask; a credit manager decides."""
        self.ensure_one()
        self.check_access("write")
        order = self.sudo().sale_id
        if self.picking_type_code != "outgoing" or self.state in ("done", "cancel") or not order:
            raise UserError(
                self.env._(
                    "%(picking)s is not an open delivery of a sales order: a credit approval is requested for "
                    "an order's delivery that the credit rules stop.",
                    picking=self.name,
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Say why this delivery should leave: the credit manager decides on it."))
        pending = (
            self.env["credit.approval"]
            .sudo()
            .search_count([("order_id", "=", order.id), ("picking_id", "!=", False), ("state", "=", "pending")])
        )
        if pending:
            raise UserError(
                self.env._(
                    "%(order)s already has a credit approval requested from a delivery, waiting for a decision.",
                    order=order.name,
                )
            )
        found = self._credit_delivery_verdicts(fields.Date.context_today(self)).get(self.id)
        if not found:
            raise UserError(
                self.env._(
                    "%(picking)s passes the credit check: validate it, no approval is needed.", picking=self.name
                )
            )
        _failures, verdict, order, covering = found
        if covering:
            raise UserError(
                self.env._(
                    "%(picking)s is covered by credit approval %(approval)s until %(expiry)s: validate it.",
                    picking=self.name,
                    approval=covering.name,
                    expiry=covering.expiry_date,
                )
            )
        approval = self.env["credit.approval"].sudo()._create_request(order, verdict, reason)
        approval.write({"picking_id": self.id})
        self.sudo().message_post(
            body=self.env._(
                "Credit approval %(approval)s for %(order)s requested from this delivery by %(user)s: %(reason)s\n"
                "%(check)s",
                approval=approval.name,
                order=order.name,
                user=self.env.user.name,
                reason=approval.reason,
                check=approval.check_message,
            )
        )
        return approval.sudo(False)
