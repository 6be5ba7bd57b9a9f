from . import (
    collection_common,
    test_approval,
    test_collection_promise,
    test_collection_run,
    test_collection_stages,
    test_collection_worklist,
    test_collection_writeoff,
    test_credit_check,
    test_exposure,
    test_ui_collection,
)  # collection stages (issue 4)
