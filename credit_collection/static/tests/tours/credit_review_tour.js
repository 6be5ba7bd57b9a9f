/** Credit review, end to end: an analyst creates, scores and submits a review; a manager approves it. */
import { registry } from "@web/core/registry";

const openReviews = [
    { content: "Open the apps menu", trigger: ".o_navbar_apps_menu button", run: "click" },
    {
        content: "Open Credit & Collection",
        trigger: '.o_app[data-menu-xmlid="credit_collection.credit_collection_menu_root"]',
        run: "click",
    },
    {
        content: "Open the Credit Control menu",
        trigger: '.o_menu_sections [data-menu-xmlid="credit_collection.credit_control_menu"]',
        run: "click",
    },
    {
        content: "Open Credit Reviews",
        trigger: '.dropdown-item[data-menu-xmlid="credit_collection.credit_review_menu"]',
        run: "click",
    },
];

registry.category("web_tour.tours").add("credit_review_tour", {
    url: "/odoo",
    steps: () => [
        ...openReviews,
        { content: "New review", trigger: ".o_list_button_add", run: "click" },
        {
            content: "Choose the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("Tour Customer Ltd")',
            run: "click",
        },
        { content: "Business facts", trigger: '.o_notebook .nav-link:contains("Business")', run: "click" },
        { trigger: ".o_field_widget[name=years_in_business] input", run: "edit 12" },
        { content: "Measure and score", trigger: "button[name=action_compute]", run: "click" },
        { content: "Read the breakdown", trigger: '.o_notebook .nav-link:contains("Score Breakdown")', run: "click" },
        {
            content: "Each factor shows its value, points and contribution",
            trigger: '.o_field_widget[name=score_line_ids] .o_data_row:contains("Years in business"):contains("12.00")',
        },
        { content: "The proposal", trigger: '.o_notebook .nav-link:contains("Proposal")', run: "click" },
        { trigger: ".o_field_widget[name=proposed_limit] input", run: "edit 5000" },
        {
            trigger: ".o_field_widget[name=justification] textarea",
            run: "edit New customer, strong references",
        },
        { content: "Submit", trigger: "button[name=action_submit]", run: "click" },
        { trigger: '.o_statusbar_status .o_arrow_button_current:contains("Submitted")' },
    ],
});

registry.category("web_tour.tours").add("credit_review_approve_tour", {
    url: "/odoo",
    steps: () => [
        ...openReviews,
        {
            content: "Open the submitted review",
            trigger: '.o_data_row:contains("Tour Customer Ltd") td[name=review_date]',
            run: "click",
        },
        { content: "Approve", trigger: "button[name=action_approve]", run: "click" },
        { trigger: '.o_statusbar_status .o_arrow_button_current:contains("Approved")' },
    ],
});
