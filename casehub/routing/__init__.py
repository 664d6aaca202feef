"""Routing: ordered rules that send a case to its agency, the explanation of each decision, the managers' pages."""
