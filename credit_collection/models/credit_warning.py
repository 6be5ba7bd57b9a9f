"""Early warning: the daily cron that flags customers for a credit review.

Signals, per customer and company: review due; an invoice overdue beyond the grade's tolerance
(or the company's); exposure above 90 % of the limit; a broken promise to pay (once the collection
module provides the count); a limit unchanged for longer than the grade's review interval.

Batch-safe: each call handles one batch of customers not yet checked today (a bookmark date per
customer and company), reports progress and returns; Odoo's cron runner calls again while work
remains. Idempotent: a customer's notified signals are remembered; an activity is scheduled only
for a signal that was not already there, so re-runs never duplicate activities.
"""

import threading

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, modules
from odoo.tools import format_date

BATCH_SIZE = 500
EXPOSURE_WARNING_RATIO = 0.9


class CreditWarning(models.AbstractModel):
    _name = "credit.warning"
    _description = "Credit early warning"

    @api.model
    def _customer_domain(self, today):
        return [
            "|",
            ("customer_rank", ">", 0),
            ("credit_grade_id", "!=", False),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
            "|",
            ("credit_warning_checked_on", "=", False),
            ("credit_warning_checked_on", "<", today),
        ]

    @api.model
    def _cron_credit_warnings(self, batch_size=BATCH_SIZE, today=None):
        """One batch of (customer, company) checks. Returns the number of customers left to check."""
        self = self.sudo()  # every company's customers, whoever triggers the cron
        today = today or fields.Date.context_today(self)
        self.env["credit.guarantee"]._cron_expiry_activities(today=today)
        companies = self.env["res.company"].search([])
        done = 0
        for company in companies:
            partners = self.env["res.partner"].with_company(company)
            batch = partners.search(self._customer_domain(today), limit=batch_size, order="id")
            if batch:
                self._check_customers(batch, company, today)
                done = len(batch)
                break
        remaining = sum(
            self.env["res.partner"].with_company(c).search_count(self._customer_domain(today)) for c in companies
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        # Odoo's test runner sets current_test; pytest-odoo (Odoo 18) only flags the thread.
        testing = modules.module.current_test or getattr(threading.current_thread(), "testing", False)
        if not testing:
            # Keep each finished batch even if a later one fails or the worker is killed: the
            # bookmark (credit_warning_checked_on) makes the next call resume after it.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return remaining

    @api.model
    def _signals(self, partner, exp, company, today):
        """[(code, reason)] for one customer, from its exposure (grade figures included)."""
        signals = []
        currency = company.currency_id
        fmt = partner.env["sale.order"].with_company(company)._credit_fmt
        grade = exp.grade if exp else None
        if partner.credit_next_review_date and partner.credit_next_review_date <= today:
            signals.append(
                (
                    "review_due",
                    self.env._("Review due since %(date)s.", date=partner.credit_next_review_date),
                )
            )
        if exp:
            overdue = company._credit_late(exp)
            if overdue:
                late, late_due, days, _grade = overdue
                signals.append(
                    (
                        "overdue",
                        self.env._(
                            "%(amount)s overdue by more than %(days)s days (oldest due %(due)s, %(late)s days).",
                            amount=fmt(late),
                            days=days,
                            due=format_date(self.env, late_due),
                            late=(today - late_due).days,
                        ),
                    )
                )
            if exp.has_limit and currency.compare_amounts(exp.total, exp.limit * EXPOSURE_WARNING_RATIO) > 0:
                signals.append(
                    (
                        "exposure",
                        self.env._(
                            "Exposure %(exposure)s is %(pct)s %% of the limit %(limit)s (warning above 90 %%).",
                            exposure=fmt(exp.total),
                            pct=round(exp.total / exp.limit * 100.0, 1),
                            limit=fmt(exp.limit),
                        ),
                    )
                )
        if partner.sudo().collection_broken_promise_count:
            signals.append(
                (
                    "broken_promise",
                    self.env._(
                        "%(count)s broken promise(s) to pay.", count=partner.sudo().collection_broken_promise_count
                    ),
                )
            )
        if grade and partner.credit_limit:
            changed = (
                partner.credit_limit_changed_on
                or partner.credit_last_review_date
                or fields.Date.to_date(partner.create_date)
            )
            if changed + relativedelta(months=grade.review_months) < today:
                signals.append(
                    (
                        "limit_stale",
                        self.env._(
                            "Limit unchanged since %(date)s, longer than the %(months)s months of grade %(grade)s.",
                            date=changed,
                            months=grade.review_months,
                            grade=grade.name,
                        ),
                    )
                )
        return signals

    @api.model
    def _check_customers(self, partners, company, today):
        partners = partners.with_company(company).with_context(tracking_disable=True)
        exposures = self.env["credit.exposure"].sudo()._get_exposures(partners, company, today=today)
        for partner in partners:
            signals = self._signals(partner, exposures.get(partner.id), company, today)
            codes = [code for code, _reason in signals]
            previous = set((partner.credit_warning_codes or "").split(",")) - {""}
            reasons = "\n".join(reason for _code, reason in signals) or False
            vals = {}
            if set(codes) != previous:
                vals["credit_warning_codes"] = ",".join(codes) or False
            if bool(codes) != partner.credit_review_needed:
                vals["credit_review_needed"] = bool(codes)
            if (partner.credit_review_reasons or False) != reasons:
                vals["credit_review_reasons"] = reasons
            if vals:
                partner.sudo().write(vals)
            new = [(code, reason) for code, reason in signals if code not in previous]
            if new:
                analyst = partner._credit_analyst()
                for _code, reason in new:
                    partner.sudo().activity_schedule(
                        "credit_collection.mail_activity_type_credit_warning",
                        user_id=analyst.id,
                        summary=self.env._(
                            "Credit review needed (%(company)s): %(reason)s", company=company.name, reason=reason
                        )[:250],
                        note=reason,
                    )
        partners.sudo().write({"credit_warning_checked_on": today})
