from . import (
    test_approval,
    test_credit_check,
    test_credit_grade,
    test_credit_grade_order,
    test_credit_review,
    test_credit_warning,
    test_exposure,
    test_ui_review,
)
