"""Adapters: one package per outside system (OBS, Microsoft Graph, YouTube, modern.gov). Each returns
typed values and never writes the store; only meetstream.bootstrap builds them."""
