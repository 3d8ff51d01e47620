"""The arXiv identifier grammar: what is accepted, how it is normalised, and what is refused."""

import pytest

from ronbun.errors import InvalidPaperId
from ronbun.ids import MAX_INPUT, PaperRef, parse_id, parse_pasted, parse_ref


# ---------------------------------------------------------------------------- valid ids

@pytest.mark.parametrize("text, expected", [
    ("0704.0001", PaperRef("0704.0001")),                 # first new-style month (April 2007)
    ("1412.9999", PaperRef("1412.9999")),                 # last month of 4-digit numbers
    ("1501.00001", PaperRef("1501.00001")),               # 5 digits from January 2015
    ("2401.15884", PaperRef("2401.15884")),
    ("2401.15884v2", PaperRef("2401.15884", 2)),
    ("2401.15884v12", PaperRef("2401.15884", 12)),
    ("arXiv:2401.15884", PaperRef("2401.15884")),
    ("ARXIV:2401.15884v3", PaperRef("2401.15884", 3)),
    ("  2401.15884\n", PaperRef("2401.15884")),           # pasted with surrounding whitespace
])
def test_new_style_ids_are_accepted(text, expected):
    # Given a new-style identifier  When parsed  Then base id and version are separated
    assert parse_id(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("hep-th/9108001", PaperRef("hep-th/9108001")),       # the very first arXiv month
    ("hep-th/9901001", PaperRef("hep-th/9901001")),
    ("hep-th/9901001v2", PaperRef("hep-th/9901001", 2)),
    ("math/0703999", PaperRef("math/0703999")),           # last old-style month
    ("math.GT/0309136", PaperRef("math/0309136")),        # subject class is not part of the id
    ("math.GT/0309136v1", PaperRef("math/0309136", 1)),
    ("cs.AI/0112345v2", PaperRef("cs/0112345", 2)),
    ("cond-mat.mtrl-sci/0601001", PaperRef("cond-mat/0601001")),
    ("physics.acc-ph/0601001", PaperRef("physics/0601001")),
    ("cond-mat.soft/0601001", PaperRef("cond-mat/0601001")),
    ("arXiv:cmp-lg/9404001", PaperRef("cmp-lg/9404001")),
    ("astro-ph/0307015", PaperRef("astro-ph/0307015")),
])
def test_old_style_ids_are_accepted(text, expected):
    assert parse_id(text) == expected


def test_old_style_ref_knows_it_is_old_style():
    assert parse_id("hep-th/9901001").is_old_style
    assert not parse_id("2401.15884").is_old_style


def test_ref_renders_with_and_without_version():
    assert str(parse_id("2401.15884v2")) == "2401.15884v2"
    assert str(parse_id("2401.15884")) == "2401.15884"
    assert str(parse_id("2401.15884v2").with_version(None)) == "2401.15884"


@pytest.mark.parametrize("url, expected", [
    ("https://arxiv.org/abs/2401.15884", PaperRef("2401.15884")),
    ("https://arxiv.org/abs/2401.15884v2", PaperRef("2401.15884", 2)),
    ("http://arxiv.org/abs/2401.15884", PaperRef("2401.15884")),
    ("https://arxiv.org/pdf/2401.15884v2", PaperRef("2401.15884", 2)),
    ("https://arxiv.org/pdf/2401.15884v2.pdf", PaperRef("2401.15884", 2)),
    ("https://arxiv.org/pdf/2401.15884.pdf", PaperRef("2401.15884")),
    ("https://arxiv.org/html/2401.15884v2", PaperRef("2401.15884", 2)),
    ("https://arxiv.org/html/2401.15884v2/", PaperRef("2401.15884", 2)),
    ("https://arxiv.org/html/2401.15884v2#S3", PaperRef("2401.15884", 2)),
    ("https://arxiv.org/abs/2401.15884?context=cs.CL", PaperRef("2401.15884")),
    ("https://www.arxiv.org/abs/2401.15884", PaperRef("2401.15884")),
    ("https://export.arxiv.org/abs/2401.15884v1", PaperRef("2401.15884", 1)),
    ("HTTPS://ARXIV.ORG/abs/2401.15884", PaperRef("2401.15884")),
    ("arxiv.org/abs/2401.15884", PaperRef("2401.15884")),
    ("www.arxiv.org/pdf/2401.15884v3", PaperRef("2401.15884", 3)),
    ("export.arxiv.org/abs/2401.15884", PaperRef("2401.15884")),
    ("https://arxiv.org/abs/hep-th/9901001v1", PaperRef("hep-th/9901001", 1)),
    ("https://arxiv.org/pdf/math.GT/0309136v1.pdf", PaperRef("math/0309136", 1)),
    ("https://arxiv.org:443/abs/2401.15884", PaperRef("2401.15884")),
])
def test_arxiv_urls_are_accepted(url, expected):
    # Given an arxiv.org abs/pdf/html URL  When parsed  Then the id inside it comes out
    assert parse_ref(url) == expected


def test_parse_ref_accepts_bare_ids_too():
    assert parse_ref("2401.15884v2") == PaperRef("2401.15884", 2)


# ---------------------------------------------------------------------------- invalid ids

@pytest.mark.parametrize("text", [
    "0703.0001",            # new style did not exist before April 2007
    "2413.15884",           # month 13
    "2400.15884",           # month 0
    "1501.0001",            # 4 digits after 2014
    "1412.00001",           # 5 digits before 2015
    "2401.00000",           # numbers start at 1
    "2401.158845",
    "2401.1588",
    "2401.15884v0",
    "2401.15884v",
    "2401.15884v12345",     # absurd version
    "2401.15884V2",
    "2401-15884",
    "240115884",
    "hep-th/9107001",       # before arXiv began
    "math/0704001",         # old style ended in March 2007
    "hep-th/9901000",
    "hep-th/990100",
    "hep-th/99010011",
    "foo-bar/9901001",      # not an archive
    "HEP-TH/9901001",
    "hep-th//9901001",
    "arXiv:arXiv:2401.15884",
    "arXiv: 2401.15884",
    "doi:10.1000/xyz",
])
def test_malformed_ids_are_rejected(text):
    with pytest.raises(InvalidPaperId):
        parse_id(text)


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "../2401.15884",
    "2401.15884/../../etc/passwd",
    "hep-th/../9901001",
    "hep-th/9901001/..",
    "..%2F..%2Fetc%2Fpasswd",
    "hep-th%2F9901001",
    "2401.15884%00",
    "2401.15884\x00",
    "2401.15884\r\nHost: evil.example",
    "2401.15884\nX-Injected: 1",
    "2401.15884 2401.15885",
    "2401.15884,2401.15885",          # would become two ids in the API's id_list
    "2401.15884&max_results=1000",
    "2401.15884\"",
    '{"paper_id": "2401.15884"}',
    "'2401.15884'",
    "<script>2401.15884</script>",
    "2401.1588\u0664",                # Arabic-Indic digit four
    "hер-th/9901001",                 # Cyrillic 'е' and 'р'
    "2401\u200b.15884",               # zero-width space
    "2401.15884\u2028",
    "1" * (MAX_INPUT + 1),
    "2401.15884" + " " * MAX_INPUT,
])
def test_hostile_ids_are_rejected(text):
    # Given input meant to escape the grammar  When parsed  Then it is refused, never normalised
    with pytest.raises(InvalidPaperId):
        parse_id(text)
    with pytest.raises(InvalidPaperId):
        parse_ref(text)


@pytest.mark.parametrize("value", [None, 2401.15884, 240115884, b"2401.15884", ["2401.15884"]])
def test_non_strings_are_rejected(value):
    with pytest.raises(InvalidPaperId):
        parse_id(value)
    with pytest.raises(InvalidPaperId):
        parse_ref(value)


@pytest.mark.parametrize("url", [
    "https://evil.example/abs/2401.15884",
    "https://arxiv.org.evil.example/abs/2401.15884",
    "https://evilarxiv.org/abs/2401.15884",
    "https://evil.example/arxiv.org/abs/2401.15884",
    "https://evil.example/?u=https://arxiv.org/abs/2401.15884",
    "https://arxiv.org@evil.example/abs/2401.15884",
    "https://user:pass@arxiv.org/abs/2401.15884",
    "https://arxiv.org\\@evil.example/abs/2401.15884",
    "https://arxiv.org:8080/abs/2401.15884",
    "https://arxiv.org:99999/abs/2401.15884",
    "https://arxiv.org:abc/abs/2401.15884",
    "https://[arxiv.org/abs/2401.15884",
    "ftp://arxiv.org/abs/2401.15884",
    "file:///arxiv.org/abs/2401.15884",
    "javascript://arxiv.org/abs/2401.15884",
    "//arxiv.org/abs/2401.15884",
    "https://arxiv.org/abs/../pdf/2401.15884",
    "https://arxiv.org/abs/2401.15884/../../../etc/passwd",
    "https://arxiv.org/abs/hep-th%2F9901001",
    "https://arxiv.org/abs/%32401.15884",
    "https://arxiv.org/abs\\2401.15884",
    "https://arxiv.org/list/2401.15884",
    "https://arxiv.org/abs/",
    "https://arxiv.org/",
    "https://arxiv.org/abs//2401.15884",
    "https://arxiv.org/html/2401.15884v2/x1.png",
    "https://arxiv.org/abs/2401.15884\r\nHost: evil.example",
    "https://аrxiv.org/abs/2401.15884",   # Cyrillic 'а'
    "https://arxiv.org/abs/" + "1" * MAX_INPUT,
])
def test_hostile_urls_are_rejected(url):
    # Given a URL on another host or with tricks in it  When parsed  Then it is refused
    with pytest.raises(InvalidPaperId):
        parse_ref(url)


def test_rejection_message_quotes_the_input_safely():
    # Given a very long hostile input  When refused  Then the message stays short and escaped
    with pytest.raises(InvalidPaperId) as info:
        parse_id("x\r\n" * 60)
    assert "\r\n" not in str(info.value)
    assert len(str(info.value)) < 150


@pytest.mark.parametrize("text", [
    "２４０１.１５８８４", "2401.15884ｖ2", "https://arxiv.org/abs/２４０１.１５８８４", "2401\uff0e15884",
])
def test_bare_grammar_refuses_full_width(text):
    # Given full-width input  When parsed as a bare id or URL  Then it is refused (only parse_pasted folds)
    with pytest.raises(InvalidPaperId):
        parse_ref(text)


@pytest.mark.parametrize("text, expected", [
    ("２２０３．００２７４", PaperRef("2203.00274")),
    ("２２０３．００２７４ｖ２", PaperRef("2203.00274", 2)),
    ("\u3000 2203.00274 \n", PaperRef("2203.00274")),
    ("ｈｅｐ－ｔｈ／９９０１００１", PaperRef("hep-th/9901001")),
    ("https://arxiv.org/abs/２２０３．００２７４", PaperRef("2203.00274")),
    ("  https://arxiv.org/pdf/2203.00274v3  ", PaperRef("2203.00274", 3)),
])
def test_pasted_input_is_folded_then_validated(text, expected):
    # Given what a reader pastes or types with a Japanese IME  When parsed  Then it is the same paper
    assert parse_pasted(text) == expected


@pytest.mark.parametrize("text", [
    "2401.1588\u0664", "hер-th/9901001", "2401\u200b.15884", "２４０１．１５８８４ ２４０１．１５８８５",
    "\u0662\u0664\u0660\u0661.\u0661\u0665\u0668\u0668\u0664", "https://ａｒｘｉｖ.ｏｒｇ.evil.example/abs/2401.15884",
    "２" * 201,
])
def test_pasted_input_keeps_refusing_look_alikes(text):
    # Given look-alikes that are not full-width ASCII  When pasted  Then still refused
    with pytest.raises(InvalidPaperId):
        parse_pasted(text)
