"""Catalogue views: buyers' pages (buyer.py), the seller cabinet (seller.py), sitemaps and robots (seo.py)."""
