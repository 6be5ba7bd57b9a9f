/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A collector proposes a payment plan from the worklist; it is above the approval threshold.
registry.category("web_tour.tours").add("credit_payment_plan_propose_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='credit_collection.credit_collection_menu_root']",
            content: "Open Credit & Collection",
            run: "click",
        },
        {
            trigger: ".o_menu_sections [data-menu-xmlid='credit_collection.collection_menu']",
            content: "Collections",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='credit_collection.credit_collection_worklist_menu']",
            content: "The worklist",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains('Tour Plan Customer') button[name='action_payment_plan']",
            content: "Propose a payment plan",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='instalment_count'] input",
            content: "Four instalments",
            run: "edit 4 && press Tab",
        },
        {
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('2,250,000.00')",
            content: "The schedule is generated evenly",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            content: "Save the plan",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
        {
            trigger: ".o_form_view button[name='action_propose']",
            content: "Propose it",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Waiting Approval')",
            content: "It waits for a credit manager",
        },
    ],
});

// A credit manager approves it.
registry.category("web_tour.tours").add("credit_payment_plan_approve_tour", {
    url: "/odoo/action-credit_collection.credit_payment_plan_action",
    steps: () => [
        {
            trigger: ".o_data_row:contains('Tour Plan Customer') td[name='partner_id']",
            content: "The plan waiting for approval",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_approve']",
            content: "Approve it",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Running')",
            content: "The plan runs",
        },
    ],
});
