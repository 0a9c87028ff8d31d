"""Click and purchase models trained on the marketplace's organic traffic (BIDLESS)."""
