/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A collector opens the worklist, records a promise on the top customer, marks an invoice disputed.
registry.category("web_tour.tours").add("credit_collection_tour", {
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
            trigger: ".o_list_view .o_data_row:first-child:contains('Tour Top Customer')",
            content: "The most urgent customer comes first",
        },
        {
            trigger: ".o_data_row:first-child button[name='action_record_promise']",
            content: "Record a promise",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='note'] textarea",
            content: "What the customer said",
            run: "edit Will pay on Friday",
        },
        {
            trigger: ".modal .o_form_button_save",
            content: "Save the promise",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_data_row:first-child button[name='action_mark_dispute']",
            content: "Mark an invoice disputed",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='reason'] select",
            content: "The reason",
            run: "selectByLabel Quality",
        },
        {
            trigger: ".modal .o_field_widget[name='note'] textarea",
            content: "Notes",
            run: "edit Damaged goods",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            content: "Confirm the dispute",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            // the disputed amount leaves the overdue total: the customer may move down the list
            trigger: ".o_data_row:contains('Tour Top Customer')",
        },
    ],
});
