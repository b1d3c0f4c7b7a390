"""Fixtures shared by the renderer tests."""

import pytest
from render_builders import review_text_directive


@pytest.fixture(scope="session")
def real_report(tmp_path_factory):
    """One real review for every module that needs one (loading the matcher takes seconds)."""
    return review_text_directive(tmp_path_factory.mktemp("real"))
