"""Compute-cost API: what training and serving large models needs, and what it costs."""
