"""review: the reviewers' web app — fix only the low-confidence fields, with an audit trail."""
