"""Seller pages for Promoted Closet: onboarding wizard, campaign page, statements."""
