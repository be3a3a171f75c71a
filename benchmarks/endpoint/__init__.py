"""Endpoint arms (docs/ARCHITECTURE.md, arms): the prompting approaches sent to an OpenAI-compatible server.

Torch-free except `arm.run`, which reads the run's context: `cache` (never pay twice), `money`
(usage tokens to dollars, the estimate before a run), `client` (the official `openai` client with
preflight, retries and the cache), `arm` (one approach over the test split, then its result row).
"""
