# collection stages (issue 4)
from . import (
    account_move,
    credit_approval,
    credit_collection_demo,
    credit_collection_history,
    credit_collection_promise,
    credit_collection_run,
    credit_collection_strategy,
    credit_exposure,
    credit_partner_lock,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
)
