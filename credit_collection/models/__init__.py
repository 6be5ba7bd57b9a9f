from . import (
    account_move,
    credit_approval,
    credit_exposure,
    credit_partner_lock,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
)

# collection stages (issue 4)
from . import (
    credit_collection_strategy,
    credit_collection_history,
    credit_collection_promise,
    credit_collection_run,
    credit_collection_demo,
    account_move_collection,
    res_partner_collection,
    res_company_collection,
    res_config_settings_collection,
)
