from . import test_approval, test_credit_check, test_exposure
from . import test_ui_credit
from . import test_concurrency
