"""The neutral core: the facts every other package shares and that import none of them.

The approach spec (`approaches`), the benchmark result schema (`result`), where files live and how
they are written atomically (`files`), the cost model's units (`units`) and the version (`version`).
Standard library, pydantic and platformdirs only: no torch, no pandas, no plotly (docs/ARCHITECTURE.md).
"""
