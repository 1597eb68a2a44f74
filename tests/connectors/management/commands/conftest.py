from tests.connectors.imports.conftest import jd_shop  # noqa: F401  (the JD channel and its SKUs)
