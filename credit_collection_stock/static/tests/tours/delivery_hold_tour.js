/** @odoo-module **/

import { registry } from "@web/core/registry";

// A warehouse user opens a delivery of a customer on credit hold: the banner says it before anyone
// tries, and validating it is refused with the hold's reason; the user then asks for a credit approval
// from the delivery, and the delivery says it waits for a credit manager.
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
        {
            trigger: ".o_form_view button[name='action_request_credit_approval']",
            content: "Ask a credit manager for an exception, from the delivery",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='check_message']:contains('Tour cheque returned')",
            content: "The order's credit check, as the delivery sees it",
        },
        {
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            content: "Why the goods should leave",
            run: "edit Customer pays cash at the gate",
        },
        {
            trigger: ".modal button[name='action_request']",
            content: "Send the request",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_credit_delivery_approval.alert-warning:contains('waiting for a credit manager')",
            content: "The delivery says it waits for the decision",
        },
    ],
});
