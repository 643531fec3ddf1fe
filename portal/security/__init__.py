"""Login protection, two-factor authentication, request limits and error pages (issue #8)."""
