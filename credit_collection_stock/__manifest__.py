{
    "name": "Credit Control & Collections - Stock",
    "summary": "Stop supply: deliveries of customers on credit hold or over their credit rules stay in the warehouse",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/credit-collection/credit_collection",
    "author": "credit_collection developers",
    "license": "LGPL-3",
    "depends": ["credit_collection", "sale_stock"],
    "data": [
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/credit_approval_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": [
        "demo/credit_collection_stock_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "credit_collection_stock/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
