"""What makes an optional feature of the exposure statement in use (credit.exposure._exposure_features):
the records whose creation, or move to another company, must add its columns to the statement."""

from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(vals.get("credit_grade_id") for vals in vals_list):
            self.env["credit.exposure"]._exposure_feature_added("grade", self.env.company)
        return partners

    def write(self, vals):
        res = super().write(vals)
        if vals.get("credit_grade_id"):  # company-dependent: written for the current company
            self.env["credit.exposure"]._exposure_feature_added("grade", self.env.company)
        return res


class CreditGrade(models.Model):
    _inherit = "credit.grade"

    @api.model_create_multi
    def create(self, vals_list):
        grades = super().create(vals_list)
        self._exposure_tolerance_added(grades)
        return grades

    def write(self, vals):
        res = super().write(vals)
        if {"own_overdue_tolerance", "company_id"} & set(vals):
            self._exposure_tolerance_added(self)
        return res

    def _exposure_tolerance_added(self, grades):
        with_tolerance = grades.filtered("own_overdue_tolerance")
        if with_tolerance:
            self.env["credit.exposure"]._exposure_feature_added("grade_tolerance", with_tolerance.company_id)


class CreditGuarantee(models.Model):
    _inherit = "credit.guarantee"

    @api.model_create_multi
    def create(self, vals_list):
        guarantees = super().create(vals_list)
        self.env["credit.exposure"]._exposure_feature_added("guarantee", guarantees.company_id)
        return guarantees

    def write(self, vals):
        res = super().write(vals)
        if "company_id" in vals:
            self.env["credit.exposure"]._exposure_feature_added("guarantee", self.company_id)
        return res


class CreditLimitTemporary(models.Model):
    _inherit = "credit.limit.temporary"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env["credit.exposure"]._exposure_feature_added("temporary", lines.company_id)
        return lines

    def write(self, vals):
        res = super().write(vals)
        if "company_id" in vals:
            self.env["credit.exposure"]._exposure_feature_added("temporary", self.company_id)
        return res


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    @api.model_create_multi
    def create(self, vals_list):
        transactions = super().create(vals_list)
        self.env["credit.exposure"]._exposure_feature_added("paid_online", transactions.company_id)
        return transactions


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        if any(vals.get("parent_id") for vals in vals_list):
            self.env.registry.clear_cache()  # a new branch: its root's pool changed
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "parent_id" in vals:
            self.env.registry.clear_cache()
        return res
