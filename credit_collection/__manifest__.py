{
    "name": "Credit Control & Collections",
    "summary": "Credit limits enforced at order confirmation, audited approvals, collection and receivable reports",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/credit-collection/credit_collection",
    "author": "credit_collection developers",
    "license": "LGPL-3",
    "depends": ["sale_management", "account", "mail"],
    "external_dependencies": {"python": []},
    "data": [
        "security/credit_collection_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "views/credit_approval_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/credit_approval_request_views.xml",
        "wizards/credit_approval_decision_views.xml",
        # issue 5: aging, provision, statements, KPIs
        "data/credit_aging_bucket_set_data.xml",
        "views/credit_aging_bucket_set_views.xml",
        "report/credit_aging_report_views.xml",
        "wizards/credit_aging_wizard_views.xml",
        "views/credit_provision_views.xml",
        "views/credit_kpi_views.xml",
        "data/credit_statement_mail_template.xml",
        "report/credit_statement_templates.xml",
        "wizards/credit_statement_wizard_views.xml",
        "views/credit_collection_menus.xml",
    ],
    "demo": [
        "demo/credit_collection_demo.xml",
        "demo/aging_demo.xml",  # issue 5
    ],
    "assets": {
        "web.assets_tests": [
            "credit_collection/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
