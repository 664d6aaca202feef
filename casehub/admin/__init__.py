"""Administration: users, agencies, categories, API keys and the audit trail, managed in the browser."""
