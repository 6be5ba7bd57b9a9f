from . import test_approval, test_credit_check, test_exposure
from . import collection_common, test_collection_stages, test_collection_promise, test_collection_run, test_collection_worklist  # collection stages (issue 4)
