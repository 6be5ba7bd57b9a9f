from odoo import api, fields, models


class CreditProvisionRunLine(models.Model):
    _name = "credit.provision.run.line"
    _description = "Provision run line"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one("credit.provision.run", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    bucket_id = fields.Many2one("credit.aging.bucket")
    grade_id = fields.Many2one("credit.grade", help="Set when the bucket set has rates per grade.")
    specific_id = fields.Many2one("credit.provision.specific", "Specific provision")
    sequence = fields.Integer(related="bucket_id.sequence", store=True)
    name = fields.Char(compute="_compute_name")
    balance = fields.Monetary("Open amount")
    rate = fields.Float("Rate (%)", digits=(16, 4))
    suggested_rate = fields.Float("Historical rate (%)", digits=(16, 2), help="Cohort method, see the documentation.")
    cohort_count = fields.Integer(
        "Cohort invoices", help="Invoices of the cohort still unpaid on entering the bucket: what the rate rests on."
    )
    cohort_amount = fields.Monetary("Cohort amount", help="Their unpaid amount on entering the bucket.")
    rate_evidence = fields.Char("Evidence", compute="_compute_rate_evidence")
    rate_low_data = fields.Boolean(
        "Too little data", compute="_compute_rate_evidence", help="Fewer cohort invoices than the company's minimum."
    )

    @api.depends("cohort_count", "cohort_amount", "suggested_rate", "bucket_id")
    def _compute_rate_evidence(self):
        for line in self:
            line.rate_low_data = bool(line.bucket_id) and (
                line.cohort_count < line.run_id.company_id.credit_provision_min_cohort or not line.cohort_count
            )
            if not line.bucket_id:
                line.rate_evidence = False
            elif not line.cohort_count:
                line.rate_evidence = self.env._("no history")
            elif line.cohort_count < line.run_id.company_id.credit_provision_min_cohort:
                line.rate_evidence = self.env._("too little data (invoices: %(count)s)", count=line.cohort_count)
            else:
                line.rate_evidence = self.env._("%(count)s invoices", count=line.cohort_count)

    allowance = fields.Monetary("Required allowance")

    @api.depends("bucket_id", "grade_id", "specific_id")
    def _compute_name(self):
        for line in self:
            if line.specific_id:
                line.name = self.env._("Specific: %(name)s", name=line.specific_id.display_name)
            elif line.grade_id:
                line.name = self.env._(
                    "%(bucket)s, grade %(grade)s", bucket=line.bucket_id.name, grade=line.grade_id.name
                )
            elif line.run_id.line_ids.filtered(lambda o, line=line: o.bucket_id == line.bucket_id and o.grade_id):
                line.name = self.env._("%(bucket)s, no grade", bucket=line.bucket_id.name)
            else:
                line.name = line.bucket_id.name or ""
