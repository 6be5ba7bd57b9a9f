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


class CreditExposureFeatureMixin(models.AbstractModel):
    """Records whose first one in a company switches on an optional column of the exposure
    statement (`_exposure_feature`): created, or moved to another company."""

    _name = "credit.exposure.feature.mixin"
    _description = "Exposure Statement Feature"
    _exposure_feature = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["credit.exposure"]._exposure_feature_added(self._exposure_feature, records.company_id)
        return records

    def write(self, vals):
        res = super().write(vals)
        if "company_id" in vals:
            self.env["credit.exposure"]._exposure_feature_added(self._exposure_feature, self.company_id)
        return res


class CreditGuarantee(models.Model):
    _name = "credit.guarantee"
    _inherit = ["credit.guarantee", "credit.exposure.feature.mixin"]
    _exposure_feature = "guarantee"


class CreditLimitTemporary(models.Model):
    _name = "credit.limit.temporary"
    _inherit = ["credit.limit.temporary", "credit.exposure.feature.mixin"]
    _exposure_feature = "temporary"


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


class AccountAccount(models.Model):
    """The exposure statement reads the receivable accounts' ids from a cache
    (credit.exposure._receivable_account_ids): a receivable account created, retyped or deleted
    clears it."""

    _inherit = "account.account"

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        if any(account.account_type == "asset_receivable" for account in accounts):
            self._exposure_receivable_accounts_changed()
        return accounts

    def write(self, vals):
        retyped = "account_type" in vals and (
            vals["account_type"] == "asset_receivable" or any(a.account_type == "asset_receivable" for a in self)
        )
        res = super().write(vals)
        if retyped:
            self._exposure_receivable_accounts_changed()
        return res

    def unlink(self):
        receivable = any(account.account_type == "asset_receivable" for account in self)
        res = super().unlink()
        if receivable:
            self._exposure_receivable_accounts_changed()
        return res

    def _exposure_receivable_accounts_changed(self):
        self.env.registry.clear_cache()
        # again once committed: another thread may have cached the old ids from an older snapshot
        self.env.cr.postcommit.add(self.env.registry.clear_cache)
