"""Program documents → Japanese-aware chunks → hybrid index → grounded answers."""
