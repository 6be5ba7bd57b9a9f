from . import credit_collection_worklist
