from odoo import models

from ..render_cache import cached


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _has_unsafe_expression_template_qweb(self, template_src, model):
        # the expression check compiles the whole body: once per batch of the collection run
        return cached(
            ("mail.template", template_src, model),
            lambda: super(MailTemplate, self)._has_unsafe_expression_template_qweb(template_src, model),
        )
