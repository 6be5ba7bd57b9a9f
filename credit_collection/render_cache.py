"""Compiled mail templates shared within one batch of the collection run.

Odoo compiles a mail template's QWeb body again for every record it renders (the body is an
element tree, not a stored view, so ir.qweb's own cache does not apply) and, before that, compiles
it once more to check its expressions. The run renders the same stage template for up to a batch
of customers, each with its own invoices in the rendering context, so it renders one customer at
a time: inside `render_cache()` both compilations are done once per template source, language and
rendering options, and reused for the other customers. The cache lives in a context variable set
by the run's own code and dropped at the end of the batch: nothing outside the run, and nothing a
caller can put in a request, reaches it."""

import contextlib
import contextvars

_CACHE = contextvars.ContextVar("credit_collection_render_cache", default=None)


@contextlib.contextmanager
def render_cache():
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def active():
    """Whether a batch's cache is in place (outside the run: no, and nothing is cached)."""
    return _CACHE.get() is not None


def cached(key, compute):
    """compute() once per `key` inside `render_cache()`; every time outside it."""
    cache = _CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]
