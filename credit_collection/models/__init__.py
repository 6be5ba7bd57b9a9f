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
