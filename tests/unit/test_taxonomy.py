"""Category codes -> the names arXiv shows (used in the digest's "カテゴリ:" line)."""

import pytest

from ronbun.taxonomy import ALIASES, CATEGORIES, category_name, category_names


@pytest.mark.parametrize("code, name", [
    ("cs.CL", "Computation and Language"),
    ("cs.LG", "Machine Learning"),
    ("stat.ML", "Machine Learning"),
    ("cs.CV", "Computer Vision and Pattern Recognition"),
    ("cs.DC", "Distributed, Parallel, and Cluster Computing"),
    ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics"),
    ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics"),
    ("physics.data-an", "Data Analysis, Statistics and Probability"),
    ("math.ST", "Statistics Theory"),
    ("math.MP", "Mathematical Physics"),
    ("math-ph", "Mathematical Physics"),
    ("eess.AS", "Audio and Speech Processing"),
    ("econ.EM", "Econometrics"),
    ("q-bio.NC", "Neurons and Cognition"),
    ("q-fin.TR", "Trading and Market Microstructure"),
    ("nlin.AO", "Adaptation and Self-Organizing Systems"),
    ("hep-th", "High Energy Physics - Theory"),
    ("gr-qc", "General Relativity and Quantum Cosmology"),
    ("quant-ph", "Quantum Physics"),
    ("nucl-ex", "Nuclear Experiment"),
    ("cmp-lg", "Computation and Language"),
    ("astro-ph", "Astrophysics"),
    ("solv-int", "Exactly Solvable and Integrable Systems"),
])
def test_known_codes_have_arxiv_names(code, name):
    assert category_name(code) == name


@pytest.mark.parametrize("code", ["cs.XX", "bogus", "", "CS.CL", "cs.cl"])
def test_unknown_codes_come_back_unchanged(code):
    # Given a code arXiv does not define (codes are case-sensitive)  Then the code itself is shown
    assert category_name(code) == code


def test_surrounding_whitespace_is_ignored():
    assert category_name(" cs.CL ") == "Computation and Language"


@pytest.mark.parametrize("archive, count", [
    ("cs.", 40), ("math.", 32), ("stat.", 6), ("eess.", 4), ("econ.", 3), ("q-bio.", 10),
    ("q-fin.", 9), ("physics.", 22), ("astro-ph.", 6), ("cond-mat.", 9), ("nlin.", 5),
])
def test_every_subject_class_of_each_archive_is_present(archive, count):
    # Given arXiv's taxonomy page (number of subject classes per archive)  Then none is missing
    assert sum(1 for c in CATEGORIES if c.startswith(archive)) == count


def test_alias_codes_and_their_canonical_codes_are_all_named():
    # q-fin.EC ("Economics") and econ.GN ("General Economics") differ on arXiv too: names only
    for alias, canonical in ALIASES.items():
        assert alias in CATEGORIES and canonical in CATEGORIES, alias


def test_systems_and_control_reads_the_same_under_both_codes():
    assert category_name("cs.SY") == category_name("eess.SY") == "Systems and Control"


def test_category_names_keep_order_and_drop_repeated_names():
    assert category_names(["cs.LG", "stat.ML", "cs.CL", "math.XX"]) == [
        "Machine Learning", "Computation and Language", "math.XX"]
