/** @odoo-module **/

import { registry } from "@web/core/registry";

// A warehouse user opens a delivery of a customer on credit hold: the banner says it before anyone
// tries, and validating it is refused with the hold's reason.
registry.category("web_tour.tours").add("credit_collection_stock_delivery_hold_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .alert-danger:contains('Customer on credit hold: this delivery cannot be validated.')",
            content: "The banner, before anyone tries",
        },
        {
            trigger: ".o_form_view .alert-danger:contains('Tour cheque returned')",
            content: "with the hold's reason",
        },
        {
            trigger: ".o_form_view button[name='button_validate']",
            content: "Validate the delivery",
            run: "click",
        },
        {
            trigger: ".modal:contains('cannot be validated'):contains('Tour cheque returned')",
            content: "Refused, with the reason",
        },
        {
            trigger: ".modal .btn-primary",
            content: "Close the message",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
