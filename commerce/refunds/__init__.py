"""Refunds and after-sales: a request per refund, approved by the policy in force, paid out once."""
