"""Routing: ordered rules that send a case to its agency, the explanation of each decision, the managers' pages.

The blueprint lives in `casehub.routing.views`, not here: the case models import this package's
models, so the pages (which reach the case models) are not imported with the package.
"""
