"""BM25 over pages and sentences, and a Japanese question's English search terms (retrieval.py)."""

from ronbun.retrieval import BM25, matches_well, query_terms, rank, select_pages, stem, tokens


def test_tokens_are_stemmed_content_words_without_stopwords():
    assert tokens("What are the results of the proposed models?") == ["result", "proposed", "model"]
    assert stem("queries") == "query" and stem("boxes") == "box" and stem("class") == "class"
    assert "multi-dataset" in tokens("a multi-dataset encoder") and "dataset" in tokens("a multi-dataset encoder")


def test_a_japanese_question_finds_its_english_terms_through_the_glossary():
    terms = query_terms("DPRはBM25と比べて検索精度が高いですか？")
    assert {"dpr", "bm25", "retrieval", "accuracy"} <= set(terms)
    assert {"code", "available"} <= set(query_terms("コードは公開されていますか？"))
    assert query_terms("ですか？") == []


def test_bm25_ranks_the_document_holding_the_rare_term_first():
    docs = [tokens("the model is trained on data"), tokens("the model uses sparse retrieval with BM25"),
            tokens("the model model model")]
    scores = BM25(docs).scores(tokens("BM25 retrieval"))
    assert scores[1] > 0 and scores[0] == 0 and scores[2] == 0
    ranked = rank(["training data", "sparse retrieval with BM25", "dense retrieval"], ["bm25", "retrieval"])
    assert [m.index for m in ranked] == [1, 2]                 # no match: left out
    assert ranked[0].matched == {"bm25", "retrieval"}


def test_a_match_counts_as_found_only_when_it_holds_enough_of_the_question():
    best = rank(["We compare DPR with BM25 on retrieval accuracy."], ["dpr", "bm25", "accuracy", "gpu"])[0]
    assert matches_well(best, ["dpr", "bm25", "accuracy", "gpu"])
    weak = rank(["The GPU was fast."], ["dpr", "bm25", "accuracy", "gpu"])[0]
    assert not matches_well(weak, ["dpr", "bm25", "accuracy", "gpu"])


def test_pages_are_selected_within_the_budget_relevant_first_and_page_one_kept():
    pages = {1: "Title and abstract. " * 10, 2: "Background on parsing trees. " * 20,
             3: "Our reward for reinforcement learning is the recall of the crawler. " * 5,
             4: "Appendix tables and more parsing trees. " * 20}
    assert select_pages(pages, ["reward"], 100_000) == [1, 2, 3, 4]
    budget = len(pages[1]) + len(pages[3]) + 10
    assert select_pages(pages, tokens("What reward does the crawler use?"), budget) == [1, 3]
