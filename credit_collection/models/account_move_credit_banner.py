from odoo import api, fields, models
from odoo.tools.misc import formatLang


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_banner = fields.Text(compute="_compute_credit_banner")
    credit_banner_level = fields.Selection(
        [("warning", "Near the limit"), ("danger", "Over the limit")], compute="_compute_credit_banner"
    )

    def _compute_partner_credit_warning(self):
        # Where the addon checks credit, its banner (same formula as the order check) replaces Odoo's.
        ours = self.filtered(lambda m: m.company_id.account_use_credit_limit)
        ours.partner_credit_warning = ""
        return super(AccountMove, self - ours)._compute_partner_credit_warning()

    @api.depends("partner_id", "company_id", "state", "move_type", "amount_total_signed")
    def _compute_credit_banner(self):
        self.credit_banner = False
        self.credit_banner_level = False
        shown = self.filtered(
            lambda m: m.state == "draft"
            and m.move_type == "out_invoice"
            and m.partner_id
            and m.company_id.account_use_credit_limit
        )
        engine = self.env["credit.exposure"].sudo()
        for company in shown.company_id:
            moves = shown.filtered(lambda m, c=company: m.company_id == c)
            exposures = engine._get_exposures(moves.partner_id, company)
            by_address = {pid: exp for exp in exposures.values() for pid in exp.input_partner_ids}
            percent = company.credit_usage_warning_percent
            for move in moves:
                exp = by_address.get(move.partner_id._origin.id)
                if not exp or not exp.has_limit:
                    continue
                # a saved draft is in the exposure already; an unsaved one is added
                total = exp.total if move._origin.id else exp.currency.round(exp.total + move.amount_total_signed)
                fmt = lambda amount, c=company: formatLang(self.env, amount, currency_obj=c.currency_id)  # noqa: E731
                if exp.currency.compare_amounts(total, exp.limit) > 0:
                    move.credit_banner_level = "danger"
                    move.credit_banner = self.env._(
                        "Credit limit exceeded: limit %(limit)s; exposure with this invoice %(exposure)s (open "
                        "receivables %(receivable)s, draft invoices %(draft)s, orders not invoiced %(orders)s); "
                        "excess %(excess)s.",
                        limit=fmt(exp.limit),
                        exposure=fmt(total),
                        receivable=fmt(exp.receivable),
                        draft=fmt(total - exp.receivable - exp.open_orders),
                        orders=fmt(exp.open_orders),
                        excess=fmt(total - exp.limit),
                    )
                elif percent > 0 and exp.currency.compare_amounts(total, exp.limit * percent / 100.0) > 0:
                    move.credit_banner_level = "warning"
                    move.credit_banner = self.env._(
                        "Near the credit limit: exposure with this invoice %(exposure)s is %(used)s %% of the limit "
                        "%(limit)s (warning from %(percent)s %%).",
                        exposure=fmt(total),
                        used=round(total / exp.limit * 100.0, 1),
                        limit=fmt(exp.limit),
                        percent=percent,
                    )
