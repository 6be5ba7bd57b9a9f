from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        # a language installed after the addon: the defaults every company got on its first day
        # (records without an XML id, so Odoo's import does not know them) follow it, unless edited
        res = super()._load_module_terms(modules, langs, overwrite=overwrite, imported_module=imported_module)
        if "credit_collection" in modules and "credit.collection.strategy" in self.env:
            self.env["res.company"].sudo().search([])._credit_translate_defaults(langs)
        return res
