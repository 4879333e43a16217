"""What the resident wants: intent detection, the household-facts dialogue and program matching."""
