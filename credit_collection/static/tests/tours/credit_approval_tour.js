/** @odoo-module **/
// The order-time credit check as people meet it: a salesman is refused and asks for an exception,
// a credit manager approves part of it, the salesman sees what is missing and asks again, the
// credit manager approves the whole order, the salesman confirms. Data comes from tests/test_ui_credit.py.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("credit_approval_request_tour", {
    steps: () => [
        {
            content: "The order warns before confirmation",
            trigger: ".o_credit_check_alert:contains(This order will be refused at confirmation)",
        },
        {
            content: "Confirm the over-limit order",
            trigger: ".o_form_view button[name=action_confirm]:not(.d-none):first",
            run: "click",
        },
        {
            content: "The refusal gives the numbers",
            trigger: ".modal:contains(Credit limit exceeded):contains(excess)",
        },
        {
            content: "Close the refusal",
            trigger: ".modal .btn-primary",
            run: "click",
        },
        {
            content: "Ask for an exception",
            trigger: "button[name=action_request_credit_approval]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name=reason] textarea",
            run: "edit Customer pays its open invoice on Friday",
        },
        {
            content: "Send the request",
            trigger: ".modal button[name=action_request]",
            run: "click",
        },
        {
            content: "The order now waits for a credit manager",
            trigger: ".o_credit_check_alert:contains(waiting for a credit manager)",
        },
    ],
});

registry.category("web_tour.tours").add("credit_approval_partial_tour", {
    steps: () => [
        {
            content: "The pending request shows no approved amount yet",
            trigger: ".o_data_row:contains(CC Tour Customer):contains(Pending) td[name=approved_summary]:empty",
        },
        {
            content: "The list says which rule refused the order",
            trigger: ".o_data_row:contains(CC Tour Customer) td[name=rule_names]:contains(Credit limit)",
        },
        {
            content: "Open the pending approval",
            trigger: ".o_data_row:contains(CC Tour Customer) .o_data_cell:first",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_view button[name=action_open_decision]:contains(Approve)",
            run: "click",
        },
        {
            content: "Only part of the order",
            trigger: ".modal div[name=approved_amount] input",
            run: "edit 400",
        },
        {
            content: "Comment",
            trigger: ".modal div[name=comment] textarea",
            run: "edit Up to 400 only",
        },
        {
            content: "Confirm the decision",
            trigger: ".modal button[name=action_decide]",
            run: "click",
        },
        {
            content: "The approval says how much of the order it covers",
            trigger: ".o_form_view div[name=approved_summary]:contains(up to):contains(400.00):contains(500.00)",
        },
    ],
});

registry.category("web_tour.tours").add("credit_approval_partial_refused_tour", {
    steps: () => [
        {
            content: "The order names the partial approval and what is missing",
            trigger: ".o_credit_check_alert:contains(does not cover this order):contains(100.00 more than approved)",
        },
        {
            content: "Ask for the whole order",
            trigger: "button[name=action_request_credit_approval]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name=reason] textarea",
            run: "edit The whole order: the customer pays on Friday",
        },
        {
            content: "Send the request",
            trigger: ".modal button[name=action_request]",
            run: "click",
        },
        {
            content: "The order waits for a credit manager again",
            trigger: ".o_credit_check_alert:contains(waiting for a credit manager)",
        },
    ],
});

registry.category("web_tour.tours").add("credit_approval_decide_tour", {
    steps: () => [
        {
            content: "Open the pending approval",
            trigger: ".o_data_row:contains(CC Tour Customer):contains(Pending) .o_data_cell:first",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_view button[name=action_open_decision]:contains(Approve)",
            run: "click",
        },
        {
            content: "Comment",
            trigger: ".modal div[name=comment] textarea",
            run: "edit Good payer, one-off",
        },
        {
            content: "Confirm the decision",
            trigger: ".modal button[name=action_decide]",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

registry.category("web_tour.tours").add("credit_approval_confirm_tour", {
    steps: () => [
        {
            content: "The order shows the approval",
            trigger: ".o_credit_check_alert:contains(Credit approved)",
        },
        {
            content: "Confirm",
            trigger: ".o_form_view button[name=action_confirm]:not(.d-none):first",
            run: "click",
        },
        {
            content: "It is a sales order now",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});
