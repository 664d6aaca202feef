"""The citizen's side, without an account: write to the mayor, follow a case, rate the answer, reopen it."""
