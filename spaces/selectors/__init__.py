"""Reads of the spaces app."""
