from . import test_approval, test_credit_check, test_exposure
