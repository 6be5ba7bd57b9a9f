from lxml import etree

from odoo import models

from ..render_cache import active, cached


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        # a template given as an element tree (a mail template's body) is compiled once per batch of
        # the collection run, per language and rendering options (see render_cache.py)
        if not isinstance(template, etree._Element) or not active():
            return super()._compile(template)
        context = self.env.context
        key = (
            "ir.qweb",
            etree.tostring(template),
            tuple(context.get(name) for name in self._get_template_cache_keys()),
            context.get("raise_on_forbidden_code_for_model"),
        )
        return cached(key, lambda: super(IrQweb, self)._compile(template))
