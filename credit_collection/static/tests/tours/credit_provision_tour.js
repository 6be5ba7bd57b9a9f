/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// An accountant looks at the aging at a date in the pivot, then computes and posts this month's
// bad-debt provision.
registry.category("web_tour.tours").add("credit_provision_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='credit_collection.credit_collection_menu_root']",
            content: "Open Credit & Collection",
            run: "click",
        },
        {
            trigger: ".o_menu_sections [data-menu-xmlid='credit_collection.reporting_menu']",
            content: "Reporting",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='credit_collection.credit_aging_wizard_menu']",
            content: "Aging at a date",
            run: "click",
        },
        {
            trigger: ".modal button[name='action_open_pivot']",
            content: "Today, days past due, by customer: open the pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Aged Customer')",
            content: "The customer's 500-day-old invoice is in the aging",
        },
        {
            trigger: ".o_menu_sections [data-menu-xmlid='credit_collection.reporting_menu']",
            content: "Reporting",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='credit_collection.credit_provision_run_menu']",
            content: "Bad-debt provision",
            run: "click",
        },
        {
            trigger: ".o_list_button_add",
            content: "A new run for this month",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='allowance_account_id'] input:value(Tour allowance)",
            content: "The accounts of the last run are proposed",
        },
        {
            trigger: ".o_form_view button[name='action_compute']:contains('Compute')",
            content: "Compute the required allowance",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('> 365')",
            content: "One line per bucket",
        },
        {
            trigger: ".o_form_view button[name='action_post']",
            content: "Approve and post the adjustment",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            content: "Confirm: post the adjustment entry",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='state'] .o_arrow_button_current:contains('Posted')",
            content: "Posted",
        },
    ],
});
